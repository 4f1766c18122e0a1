-- A commit writes every page it changed, and each table and index it adds a row to is at
-- least one page: a check-in touched 33. This migration removes what was written and never
-- read, and the work SQLite did on every insert for nothing. Rows keep their rowids.
-- It runs with foreign keys off (rebuilding a table that others refer to needs it) and is
-- followed by a foreign key check.

-- The audit log is read newest first, by operator, dates or room, scanning back by id: no
-- query reads it by time or by subject. It is never deleted from, so the largest id plus one
-- is always a new id, and AUTOINCREMENT's counter (a page in sqlite_sequence) is not needed.
CREATE TABLE audit_log_new (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
    before     TEXT, -- JSON of what the action changed, as it was
    after      TEXT, -- JSON of what the action changed, as it is now
    detail     TEXT
);
INSERT INTO audit_log_new (id, at, actor, action, subject_id, outcome, before, after, detail)
    SELECT id, at, actor, action, subject_id, outcome, before, after, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

-- A stay's live grants are found through its live reservation (reservations_live_key, then
-- access_grants_live_by_reservation): a live grant always belongs to a live reservation.
DROP INDEX access_grants_live_by_key;

-- Guests have no key, yet `UNIQUE` indexed every one of them: only keys are indexed now.
-- A CHECK with `IN` and three or more values builds a temporary table at every insert;
-- the same test written with `OR` does not.
CREATE TABLE user_identities_new (
    id                TEXT PRIMARY KEY,
    user_identity_key TEXT,
    full_name         TEXT,
    email_address     TEXT,
    phone_number      TEXT,
    kind              TEXT NOT NULL
        CHECK (kind = 'guest' OR kind = 'resident' OR kind = 'staff'),
    created_at        TEXT NOT NULL
);
INSERT INTO user_identities_new (rowid, id, user_identity_key, full_name, email_address,
        phone_number, kind, created_at)
    SELECT rowid, id, user_identity_key, full_name, email_address, phone_number, kind,
        created_at
    FROM user_identities;
DROP TABLE user_identities;
ALTER TABLE user_identities_new RENAME TO user_identities;
CREATE UNIQUE INDEX user_identities_by_key ON user_identities (user_identity_key)
    WHERE user_identity_key IS NOT NULL;

CREATE TABLE access_methods_new (
    id                   TEXT PRIMARY KEY,
    access_grant_id      TEXT NOT NULL REFERENCES access_grants (id),
    request_index        INTEGER NOT NULL, -- which requested access method made it
    mode                 TEXT NOT NULL
        CHECK (mode = 'card' OR mode = 'mobile_key' OR mode = 'code'),
    code                 TEXT,
    copy_number          INTEGER, -- cards: 1 for the first card of the grant, 2 for its copy…
    created_at           TEXT NOT NULL,
    issued_at            TEXT,
    card_id              TEXT,
    is_encoding_required INTEGER NOT NULL DEFAULT 0 CHECK (is_encoding_required IN (0, 1)),
    revoked_at           TEXT,
    collected_at         TEXT,
    lost_at              TEXT
);
INSERT INTO access_methods_new (rowid, id, access_grant_id, request_index, mode, code,
        copy_number, created_at, issued_at, card_id, is_encoding_required, revoked_at,
        collected_at, lost_at)
    SELECT rowid, id, access_grant_id, request_index, mode, code, copy_number, created_at,
        issued_at, card_id, is_encoding_required, revoked_at, collected_at, lost_at
    FROM access_methods;
DROP TABLE access_methods;
ALTER TABLE access_methods_new RENAME TO access_methods;
CREATE INDEX access_methods_by_grant ON access_methods (access_grant_id);

-- Reservations are only ever found by id or by key: the id is the table's key, without a
-- rowid beside it and a second index from id to rowid.
CREATE TABLE reservations_new (
    id              TEXT PRIMARY KEY,
    reservation_key TEXT NOT NULL,
    established_at  TEXT NOT NULL,
    cleared_at      TEXT
) WITHOUT ROWID;
INSERT INTO reservations_new (id, reservation_key, established_at, cleared_at)
    SELECT id, reservation_key, established_at, cleared_at FROM reservations;
DROP TABLE reservations;
ALTER TABLE reservations_new RENAME TO reservations;
-- A key names at most one live reservation.
CREATE UNIQUE INDEX reservations_live_key ON reservations (reservation_key)
    WHERE cleared_at IS NULL;
