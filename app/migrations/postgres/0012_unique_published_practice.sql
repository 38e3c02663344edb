-- A best practice is published to the library once, even when the button is clicked twice.

CREATE UNIQUE INDEX library_items_practice ON library_items(practice_id) WHERE practice_id IS NOT NULL;
