-- A door's override number is taken when the first card carrying it is encoded, not when
-- the reservation is made: reservations made and cancelled without a card no longer push a
-- door's numbers past what its lock accepts. A reservation's door has no number until then.
-- Rows keep their numbers. It runs with foreign keys off and is followed by a foreign key
-- check (see 005).

-- Every override sequence number a door ever handed out; never reused. NULL: no card
-- carrying the door was encoded for the reservation yet.
CREATE TABLE reservation_doors_new (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    entrance_id    TEXT NOT NULL REFERENCES entrances (id),
    sequence       INTEGER CHECK (sequence > 0),
    -- Copy of "the reservation is not cleared", so that a door's live reservations are found
    -- through a small index whatever the length of its history.
    live           INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
    PRIMARY KEY (reservation_id, entrance_id),
    UNIQUE (entrance_id, sequence)
) WITHOUT ROWID;
INSERT INTO reservation_doors_new (reservation_id, entrance_id, sequence, live)
    SELECT reservation_id, entrance_id, sequence, live FROM reservation_doors;
DROP TABLE reservation_doors;
ALTER TABLE reservation_doors_new RENAME TO reservation_doors;
CREATE INDEX reservation_doors_live ON reservation_doors (entrance_id) WHERE live = 1;

-- A grant's door is one of its reservation's when its reservation has a row for it; the
-- number is read there. The copy kept beside each grant could not follow a number taken
-- after the grant was made.
ALTER TABLE access_grant_entrances DROP COLUMN sequence;
