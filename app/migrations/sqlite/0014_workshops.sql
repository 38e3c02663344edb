-- Workshops: a trainer presents one or more playbooks to another organisation or country.
-- Participants' names and emails are encrypted like training registrants'.

CREATE TABLE workshops (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL,
    playbooks TEXT NOT NULL,
    training_id INTEGER REFERENCES training_events(id),
    notes TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX workshops_held ON workshops(held_on);
CREATE INDEX workshops_training ON workshops(training_id);

CREATE TABLE workshop_participants (
    id INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id),
    name_enc TEXT NOT NULL,
    email_enc TEXT,
    organisation TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL
);
CREATE INDEX workshop_participants_workshop ON workshop_participants(workshop_id);
