-- Translation overrides made on the admin page. Each remembers the text it replaced, so an
-- upgrade that changes that text can flag it. translation_state.generation changes with
-- every save or revert, so that every server process reloads.

CREATE TABLE translation_overrides (
    locale TEXT NOT NULL,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    original TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (locale, key)
);

CREATE TABLE translation_state (
    generation INTEGER NOT NULL
);
INSERT INTO translation_state (generation) VALUES (0);
