-- One-shot keys and lock-out cards. It runs with foreign keys off (the card tables are
-- rebuilt for their new kinds, and cards refers to encode_operations) and is followed by a
-- foreign key check. Rows keep their rowids (cards are ordered by them within a second).

CREATE TABLE encode_operations_new (
    op_id            TEXT PRIMARY KEY,
    access_method_id TEXT REFERENCES access_methods (id),
    kind             TEXT NOT NULL CHECK (kind IN
        ('guest', 'staff', 'cancel', 'one_shot', 'lock_out', 'lock_out_lift')),
    card_uid         TEXT NOT NULL,
    image            BLOB NOT NULL,
    image_hash       TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'written', 'failed')),
    error            TEXT,
    actor            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    resolved_at      TEXT,
    encoder_id       TEXT
);
INSERT INTO encode_operations_new (rowid, op_id, access_method_id, kind, card_uid, image,
        image_hash, state, error, actor, created_at, resolved_at, encoder_id)
    SELECT rowid, op_id, access_method_id, kind, card_uid, image, image_hash, state, error, actor,
           created_at, resolved_at, encoder_id
    FROM encode_operations;
DROP TABLE encode_operations;
ALTER TABLE encode_operations_new RENAME TO encode_operations;
CREATE INDEX encode_operations_pending ON encode_operations (encoder_id, created_at)
    WHERE state = 'pending';
CREATE INDEX encode_operations_by_method ON encode_operations (access_method_id);

CREATE TABLE cards_new (
    op_id            TEXT PRIMARY KEY REFERENCES encode_operations (op_id),
    card_uid         TEXT NOT NULL,
    access_method_id TEXT REFERENCES access_methods (id),
    kind             TEXT NOT NULL CHECK (kind IN
        ('guest', 'staff', 'cancel', 'one_shot', 'lock_out', 'lock_out_lift')),
    key_epoch        INTEGER NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_until      TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    superseded_at    TEXT,
    collected_at     TEXT,
    lost_at          TEXT
);
INSERT INTO cards_new (rowid, op_id, card_uid, access_method_id, kind, key_epoch, valid_from,
        valid_until, written_at, superseded_at, collected_at, lost_at)
    SELECT rowid, op_id, card_uid, access_method_id, kind, key_epoch, valid_from, valid_until,
           written_at, superseded_at, collected_at, lost_at
    FROM cards;
DROP TABLE cards;
ALTER TABLE cards_new RENAME TO cards;
CREATE INDEX cards_by_uid ON cards (card_uid, written_at);
CREATE INDEX cards_by_method ON cards (access_method_id);

-- A grant whose cards open each of its doors once.
ALTER TABLE access_grants ADD COLUMN one_shot INTEGER NOT NULL DEFAULT 0;

-- The last one-shot number each door handed out; a number is never handed out twice.
CREATE TABLE one_shot_numbers (
    entrance_id TEXT PRIMARY KEY REFERENCES entrances (id),
    last        INTEGER NOT NULL CHECK (last > 0)
) WITHOUT ROWID;

-- What a simulated lock remembers of one-shot cards and of a lock-out.
ALTER TABLE lock_states ADD COLUMN one_shot_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lock_states ADD COLUMN locked_out INTEGER NOT NULL DEFAULT 0;
