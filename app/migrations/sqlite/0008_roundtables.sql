-- Strategic roundtables: meetings of government and NGO practitioners, who took part, the
-- best practices captured, and the actions agreed (owner, due date, status).

CREATE TABLE roundtables (
    id INTEGER PRIMARY KEY,
    held_at INTEGER NOT NULL,
    theme TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('public','partners','restricted')),
    agenda TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    next_meeting INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX roundtables_held ON roundtables(held_at);

CREATE TABLE roundtable_participants (
    roundtable_id INTEGER NOT NULL REFERENCES roundtables(id),
    organization_id INTEGER NOT NULL REFERENCES reached_organizations(id),
    side TEXT NOT NULL CHECK (side IN ('government','ngo','other')),
    PRIMARY KEY (roundtable_id, organization_id)
);

CREATE TABLE roundtable_practices (
    id INTEGER PRIMARY KEY,
    roundtable_id INTEGER NOT NULL REFERENCES roundtables(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE roundtable_actions (
    id INTEGER PRIMARY KEY,
    roundtable_id INTEGER NOT NULL REFERENCES roundtables(id),
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','dropped')),
    updated_at INTEGER NOT NULL
);
