-- Outreach: organisations reached, consultations given, training materials and their
-- distribution, and program goals (targets only: progress is computed from the records).

CREATE TABLE reached_organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL CHECK (sector IN ('ngo','government','law_enforcement','health','education','business','faith','media','other')),
    country TEXT NOT NULL,
    directory_id TEXT REFERENCES organizations(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    held_at INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('phone','video','in_person','email')),
    organization_id INTEGER REFERENCES reached_organizations(id),
    country TEXT NOT NULL,
    topic TEXT NOT NULL,
    minutes INTEGER,
    follow_ups TEXT NOT NULL DEFAULT '',
    related_playbooks TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX consultations_held ON consultations(held_at);

CREATE TABLE materials (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('leaflet','poster','card','guide','video','other')),
    language TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE material_distributions (
    id INTEGER PRIMARY KEY,
    material_id INTEGER NOT NULL REFERENCES materials(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    organization_id INTEGER REFERENCES reached_organizations(id),
    recipient TEXT NOT NULL DEFAULT '',
    distributed_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX material_distributions_at ON material_distributions(distributed_at);

CREATE TABLE program_goals (
    year INTEGER NOT NULL,
    metric TEXT NOT NULL,
    target INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (year, metric)
);
