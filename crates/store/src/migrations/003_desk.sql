-- The desk's people and settings, lost cards, and the room board's index.

-- Who may use the desktop app; a PIN is stored only as its Argon2 hash.
CREATE TABLE operators (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role        TEXT NOT NULL CHECK (role IN ('receptionist', 'manager')),
    pin_hash    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- A card reported lost cannot be collected; its stay's next card overrides it.
ALTER TABLE access_methods ADD COLUMN lost_at TEXT;

-- The board reads the stays around today whatever the length of history.
CREATE INDEX access_grants_live_by_end ON access_grants (ends_at) WHERE deleted_at IS NULL;
