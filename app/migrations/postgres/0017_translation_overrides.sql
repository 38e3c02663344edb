-- Translation overrides made on the admin page. Each remembers the text it replaced, so an
-- upgrade that changes that text can flag it. translation_state.generation changes with
-- every save or revert, so that every server process reloads.

CREATE TABLE translation_overrides (
    locale TEXT NOT NULL,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    original TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (locale, key)
);

CREATE TABLE translation_state (
    generation BIGINT NOT NULL
);
INSERT INTO translation_state (generation) VALUES (0);
