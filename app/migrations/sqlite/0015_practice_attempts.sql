-- Practice calls: a trainee's attempt at a bundled role-play scenario, recorded as a real
-- contact (in a sandbox deployment) and scored against the scenario's expected record.

CREATE TABLE practice_attempts (
    id INTEGER PRIMARY KEY,
    scenario TEXT NOT NULL,
    locale TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    trainee_id INTEGER NOT NULL REFERENCES users(id),
    started_at INTEGER NOT NULL,
    scored_at INTEGER,
    correct INTEGER,
    total INTEGER
);
CREATE INDEX practice_attempts_trainee ON practice_attempts(trainee_id);
