-- Training events: the curriculum modules (an editable list), the events, and the people
-- registered for each, with attendance. Names and emails are encrypted; the email's blind
-- index finds the same person registered twice.

CREATE TABLE training_modules (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO training_modules (code, position) VALUES
    ('scope', 1), ('indicators', 2), ('trauma_informed_interviewing', 3), ('referral_options', 4);

CREATE TABLE training_events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('online','blended','trainers')),
    sector TEXT NOT NULL CHECK (sector IN ('ngo','government','law_enforcement','health','education','business','faith','media','other')),
    mode TEXT NOT NULL CHECK (mode IN ('in_person','online')),
    starts_at INTEGER NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    trainers TEXT NOT NULL DEFAULT '',
    modules TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX training_events_starts ON training_events(starts_at);

CREATE TABLE training_people (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES training_events(id),
    name_enc TEXT NOT NULL,
    email_enc TEXT NOT NULL,
    email_index TEXT NOT NULL,
    organization_id INTEGER REFERENCES reached_organizations(id),
    attended INTEGER NOT NULL DEFAULT 0,
    registered_at INTEGER NOT NULL,
    UNIQUE (event_id, email_index)
);
