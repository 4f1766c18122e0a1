-- Spare cards for when the desk is down: guest cards made ahead for a room and kept in the
-- safe, each with the next number of every door of the room.

CREATE TABLE spare_cards (
    id             TEXT PRIMARY KEY,
    space_id       TEXT NOT NULL REFERENCES spaces (id),
    -- Spare 1, 2, … of the room: every spare ever made for it is counted.
    number         INTEGER NOT NULL CHECK (number > 0),
    -- The encode that writes it: the spare exists once that is written. The spare is recorded
    -- as its numbers are taken, just before the encode, in the same transaction.
    op_id          TEXT NOT NULL UNIQUE
        REFERENCES encode_operations (op_id) DEFERRABLE INITIALLY DEFERRED,
    made_at        TEXT NOT NULL,
    valid_until    TEXT NOT NULL,
    -- Handed to a guest: the stay the desk made for it afterwards.
    handed_at      TEXT,
    reservation_key TEXT,
    -- Taken out of the safe for good (destroyed, or replaced by newer spares).
    voided_at      TEXT,
    UNIQUE (space_id, number)
);

-- The number each spare carries for each door of its room; a number is never handed out
-- twice on a door, whether to a stay, a cancel card or a spare.
CREATE TABLE spare_doors (
    spare_id    TEXT NOT NULL REFERENCES spare_cards (id),
    entrance_id TEXT NOT NULL REFERENCES entrances (id),
    sequence    INTEGER NOT NULL CHECK (sequence > 0),
    PRIMARY KEY (spare_id, entrance_id),
    UNIQUE (entrance_id, sequence)
) WITHOUT ROWID;
