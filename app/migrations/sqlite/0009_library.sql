-- The resource library: uploaded documents (stored under data/library/ with names the
-- server chose), links, and best practices published from roundtables.

CREATE TABLE library_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('file','link','practice')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    mime TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    audience TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('staff','public')),
    practice_id INTEGER REFERENCES roundtable_practices(id),
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX library_items_visibility ON library_items(visibility, created_at);
