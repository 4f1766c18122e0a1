-- Cards, the exactly-once encoding journal, simulated locks and action attempts.

-- Every encode, from before the card is touched until its outcome is known. An operation
-- stays 'pending' until the encoder says whether the card was written.
CREATE TABLE encode_operations (
    op_id            TEXT PRIMARY KEY,
    -- The access method the card is for; NULL for a cancel card, which belongs to no grant.
    access_method_id TEXT REFERENCES access_methods (id),
    kind             TEXT NOT NULL CHECK (kind IN ('guest', 'staff', 'cancel')),
    card_uid         TEXT NOT NULL,
    image            BLOB NOT NULL,
    image_hash       TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'written', 'failed')),
    error            TEXT,
    actor            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    resolved_at      TEXT
);
CREATE INDEX encode_operations_pending ON encode_operations (created_at)
    WHERE state = 'pending';
CREATE INDEX encode_operations_by_method ON encode_operations (access_method_id);

-- Every card ever written. A card is never forgotten: re-encoding an access method onto
-- other plastic supersedes the earlier card but keeps its record.
CREATE TABLE cards (
    op_id            TEXT PRIMARY KEY REFERENCES encode_operations (op_id),
    card_uid         TEXT NOT NULL,
    access_method_id TEXT REFERENCES access_methods (id),
    kind             TEXT NOT NULL CHECK (kind IN ('guest', 'staff', 'cancel')),
    key_epoch        INTEGER NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_until      TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    superseded_at    TEXT
);
CREATE INDEX cards_by_uid ON cards (card_uid, written_at);
CREATE INDEX cards_by_method ON cards (access_method_id);

-- What each simulated lock remembers, and every decision it made.
CREATE TABLE lock_states (
    entrance_id    TEXT PRIMARY KEY REFERENCES entrances (id),
    guest_sequence INTEGER NOT NULL,
    overridden_at  TEXT
) WITHOUT ROWID;

CREATE TABLE lock_events (
    id          INTEGER PRIMARY KEY,
    entrance_id TEXT NOT NULL REFERENCES entrances (id),
    card_uid    TEXT NOT NULL,
    at          TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('granted', 'denied')),
    reason      TEXT NOT NULL, -- JSON of the lock model's reason
    explanation TEXT NOT NULL
);
CREATE INDEX lock_events_by_entrance ON lock_events (entrance_id, id);

-- Seam's action attempts: encoding and scanning answer with one and finish it later.
CREATE TABLE action_attempts (
    id          TEXT PRIMARY KEY,
    action_type TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'success', 'error')),
    result      TEXT, -- JSON
    error       TEXT, -- JSON {type, message}
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
