-- Contacts ("signals") from every channel, SMS conversations, crisis alerts, the on-call
-- roster, operational settings and tip-form rate limiting.
-- Identifying fields (*_enc) hold AEAD ciphertext (base64); *_index hold keyed blind indexes.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('phone','sms','chat','email','web_form','walk_in','other')),
    direction TEXT NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound','outbound')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('queued','open','closed')),
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_seconds INTEGER,
    language TEXT,
    interpreter_used INTEGER NOT NULL DEFAULT 0,
    interpreter_language TEXT,
    contact_type TEXT CHECK (contact_type IN ('crisis','tip','tta','referral','general_information','high_risk','non_substantive')),
    non_substantive_outcome TEXT CHECK (non_substantive_outcome IN ('hang_up','wrong_number','silent','prank')),
    signaler_role TEXT,
    region TEXT,
    heard_about TEXT,
    anonymous INTEGER NOT NULL DEFAULT 1,
    consent_follow_up INTEGER NOT NULL DEFAULT 0,
    red_flags TEXT NOT NULL DEFAULT '',
    name_enc TEXT,
    phone_enc TEXT,
    email_enc TEXT,
    narrative_enc TEXT,
    safe_contact_enc TEXT,
    voicemail_enc TEXT,
    phone_index TEXT,
    email_index TEXT,
    advocate_id INTEGER REFERENCES users(id),
    supervisor_alerted_at INTEGER,
    case_id INTEGER,
    provider_sid TEXT UNIQUE,
    call_outcome TEXT CHECK (call_outcome IN ('answered','missed','abandoned','voicemail')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_started ON contacts(started_at);
CREATE INDEX contacts_status ON contacts(status, started_at);
CREATE INDEX contacts_phone_index ON contacts(phone_index);
CREATE INDEX contacts_email_index ON contacts(email_index);

CREATE TABLE crisis_alerts (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    raised_by INTEGER REFERENCES users(id),
    alerted_at INTEGER NOT NULL,
    seen_at INTEGER
);
CREATE INDEX crisis_alerts_user ON crisis_alerts(user_id, seen_at);

CREATE TABLE sms_conversations (
    id INTEGER PRIMARY KEY,
    phone_index TEXT NOT NULL UNIQUE,
    phone_enc TEXT NOT NULL,
    opted_out INTEGER NOT NULL DEFAULT 0,
    contact_id INTEGER REFERENCES contacts(id),
    language TEXT,
    last_message_at INTEGER NOT NULL
);

CREATE TABLE sms_messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES sms_conversations(id),
    contact_id INTEGER REFERENCES contacts(id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),
    body_enc TEXT NOT NULL,
    provider_sid TEXT UNIQUE,
    status TEXT NOT NULL,
    sent_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX sms_messages_conversation ON sms_messages(conversation_id, created_at);

CREATE TABLE roster (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    duty_phone TEXT
);

CREATE TABLE tip_submissions (
    id INTEGER PRIMARY KEY,
    ip_hash TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX tip_submissions_ip ON tip_submissions(ip_hash, at);
