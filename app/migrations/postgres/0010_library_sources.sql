-- Where a library item came from when it was imported from another deployment's bundle:
-- the source hotline and the item's id there (an item imported twice is skipped).

ALTER TABLE library_items ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE library_items ADD COLUMN source_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX library_items_source ON library_items(source, source_ref);
