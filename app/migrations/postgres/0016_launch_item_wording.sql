-- The wording of a launch-plan item when its status was saved, and in which language, so
-- that an item whose playbook was adapted or upgraded since can be flagged for a check.

ALTER TABLE launch_items ADD COLUMN item_text TEXT NOT NULL DEFAULT '';
ALTER TABLE launch_items ADD COLUMN item_locale TEXT NOT NULL DEFAULT '';
