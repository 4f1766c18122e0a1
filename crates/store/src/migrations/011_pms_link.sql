-- The PMS's key link (FIAS): how the PMS names rooms and common-area options, and every key
-- request it made with the answer it got, so that a request repeated after a lost answer is
-- answered from here rather than making a second set of cards.

ALTER TABLE spaces ADD COLUMN pms_room_number TEXT;
ALTER TABLE entrances ADD COLUMN pms_key_option INTEGER;

CREATE TABLE pms_key_requests (
    id          TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    workstation TEXT,
    reservation TEXT,
    key_type    TEXT NOT NULL,
    room        TEXT NOT NULL,
    encoder_id  TEXT,
    -- The record as the PMS sent it: the same text again is the same request.
    record      TEXT NOT NULL,
    -- The answer (FIAS `AS`, `CT`, `$2`): NULL while the request runs.
    status      TEXT,
    text        TEXT,
    card_id     TEXT,
    answered_at TEXT
);

CREATE INDEX pms_key_requests_by_record ON pms_key_requests (record, received_at);
