-- A training material can be a document of the resource library.

ALTER TABLE materials ADD COLUMN library_item_id BIGINT REFERENCES library_items(id);
