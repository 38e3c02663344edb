-- Cases: potential trafficking situations built from one or more contacts, with the people
-- involved, the work done (notes, tasks, services, emergency responses), consent records and
-- reports to authorities. Identifying fields (*_enc) are AEAD ciphertext.

CREATE TABLE case_counters (
    country TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (country, year)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'open',
    closure_reason TEXT,
    region TEXT,
    case_type TEXT NOT NULL DEFAULT 'unknown' CHECK (case_type IN ('sex','labor','sex_and_labor','unknown')),
    venue TEXT,
    indicators TEXT NOT NULL DEFAULT '',
    indicator_level TEXT CHECK (indicator_level IN ('high','moderate')),
    level_override_reason_enc TEXT,
    recruitment TEXT NOT NULL DEFAULT '',
    control TEXT NOT NULL DEFAULT '',
    summary_enc TEXT,
    safety_plan_enc TEXT,
    crisis INTEGER NOT NULL DEFAULT 0,
    assigned_to INTEGER REFERENCES users(id),
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_assigned ON cases(assigned_to);
CREATE INDEX cases_status ON cases(status);

CREATE TABLE case_people (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('victim','trafficker','business')),
    name_enc TEXT,
    details_enc TEXT,
    age_band TEXT,
    minor INTEGER NOT NULL DEFAULT 0,
    gender TEXT,
    nationality TEXT,
    languages TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX case_people_case ON case_people(case_id);

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    author_id INTEGER REFERENCES users(id),
    body_enc TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, created_at);

CREATE TABLE case_tasks (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    title_enc TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    assigned_to INTEGER REFERENCES users(id),
    done_at INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX case_tasks_due ON case_tasks(done_at, due_at);

CREATE TABLE case_services (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    service_type TEXT NOT NULL CHECK (service_type IN ('case_management','counselling','shelter','legal','medical','interpretation','other')),
    sessions INTEGER,
    minutes INTEGER,
    delivered_on INTEGER NOT NULL,
    notes_enc TEXT,
    recorded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE emergency_responses (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('shelter','extraction','transportation')),
    coordinated_with TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    happened_at INTEGER NOT NULL,
    notes_enc TEXT,
    recorded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    person_id INTEGER REFERENCES case_people(id),
    scope TEXT NOT NULL,
    recipient TEXT NOT NULL,
    given_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    recorded_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX consents_case ON consents(case_id);

CREATE TABLE authority_reports (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    authority TEXT NOT NULL,
    legal_basis TEXT NOT NULL CHECK (legal_basis IN ('consent','legal_duty','imminent_danger')),
    fields_shared TEXT NOT NULL,
    sent_by INTEGER REFERENCES users(id),
    sent_at INTEGER NOT NULL,
    notes_enc TEXT
);
CREATE INDEX authority_reports_case ON authority_reports(case_id);
CREATE INDEX contacts_case ON contacts(case_id);
