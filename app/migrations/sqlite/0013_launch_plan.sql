-- The launch plan: the playbooks' checklist items as the deployment's own to-do list. An item
-- is named by its playbook and its position in that playbook's checklist; items nobody has
-- touched have no row and count as open.

CREATE TABLE launch_items (
    playbook TEXT NOT NULL,
    item INTEGER NOT NULL CHECK (item >= 1),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','not_applicable')),
    owner TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (playbook, item)
);
