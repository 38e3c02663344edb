-- The referral directory (organisations and their services, exchanged as Open Referral HSDS
-- 3.0) and referrals from cases to services. Directory ids are UUIDs, as HSDS wants.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    vetting_tier INTEGER,
    accepts_warm_transfers INTEGER NOT NULL DEFAULT 0,
    last_verified TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    categories TEXT NOT NULL DEFAULT '',
    populations TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX services_organization ON services(organization_id);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    kind TEXT NOT NULL CHECK (kind IN ('referral','warm_transfer','police_report','child_protection_report')),
    status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent','accepted','declined','completed','withdrawn')),
    outcome_enc TEXT,
    consent_id INTEGER REFERENCES consents(id),
    override_reason_enc TEXT,
    overridden_by INTEGER REFERENCES users(id),
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    status_at INTEGER NOT NULL
);
CREATE INDEX referrals_case ON referrals(case_id);
