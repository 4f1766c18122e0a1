-- Instants are UTC text of one width (RFC 3339, milliseconds, "Z"), so text order is time order.
-- Nothing is ever deleted: grants, reservations and access methods are closed with a
-- timestamp, so every card ever issued keeps its record.

CREATE TABLE property (
    id          TEXT PRIMARY KEY,
    singleton   INTEGER NOT NULL UNIQUE DEFAULT 1 CHECK (singleton = 1),
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE access_systems (
    id         TEXT PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE spaces (
    id         TEXT PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    floor      INTEGER,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE entrances (
    id                        TEXT PRIMARY KEY,
    key                       TEXT NOT NULL UNIQUE,
    name                      TEXT NOT NULL,
    access_system_id          TEXT NOT NULL REFERENCES access_systems (id),
    can_belong_to_reservation INTEGER NOT NULL CHECK (can_belong_to_reservation IN (0, 1)),
    modes                     TEXT NOT NULL, -- comma-separated access modes
    created_at                TEXT NOT NULL,
    retired_at                TEXT
);

CREATE TABLE entrance_spaces (
    entrance_id TEXT NOT NULL REFERENCES entrances (id),
    space_id    TEXT NOT NULL REFERENCES spaces (id),
    PRIMARY KEY (entrance_id, space_id)
) WITHOUT ROWID;
CREATE INDEX entrance_spaces_by_space ON entrance_spaces (space_id, entrance_id);

CREATE TABLE user_identities (
    id                TEXT PRIMARY KEY,
    user_identity_key TEXT UNIQUE,
    full_name         TEXT,
    email_address     TEXT,
    phone_number      TEXT,
    kind              TEXT NOT NULL CHECK (kind IN ('guest', 'resident', 'staff')),
    created_at        TEXT NOT NULL
);

CREATE TABLE reservations (
    id              TEXT PRIMARY KEY,
    reservation_key TEXT NOT NULL,
    established_at  TEXT NOT NULL,
    cleared_at      TEXT
);
-- A key names at most one live reservation.
CREATE UNIQUE INDEX reservations_live_key ON reservations (reservation_key)
    WHERE cleared_at IS NULL;

-- Every override sequence number a door ever handed out; never reused.
CREATE TABLE reservation_doors (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    entrance_id    TEXT NOT NULL REFERENCES entrances (id),
    sequence       INTEGER NOT NULL CHECK (sequence > 0),
    -- Copy of "the reservation is not cleared", so that a door's live reservations are found
    -- through a small index whatever the length of its history.
    live           INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),
    PRIMARY KEY (reservation_id, entrance_id),
    UNIQUE (entrance_id, sequence)
) WITHOUT ROWID;
CREATE INDEX reservation_doors_live ON reservation_doors (entrance_id) WHERE live = 1;

CREATE TABLE access_grants (
    id                       TEXT PRIMARY KEY,
    user_identity_id         TEXT NOT NULL REFERENCES user_identities (id),
    reservation_key          TEXT,
    reservation_id           TEXT REFERENCES reservations (id),
    name                     TEXT,
    starts_at                TEXT NOT NULL,
    ends_at                  TEXT NOT NULL CHECK (ends_at > starts_at),
    requested_access_methods TEXT NOT NULL, -- JSON, as requested
    space_ids                TEXT NOT NULL, -- JSON array of the spaces asked for
    created_at               TEXT NOT NULL,
    deleted_at               TEXT,
    CHECK ((reservation_key IS NULL) = (reservation_id IS NULL))
);
CREATE INDEX access_grants_live_by_reservation ON access_grants (reservation_id)
    WHERE deleted_at IS NULL;
CREATE INDEX access_grants_live_by_key ON access_grants (reservation_key)
    WHERE deleted_at IS NULL;
CREATE INDEX access_grants_live_by_user ON access_grants (user_identity_id)
    WHERE deleted_at IS NULL;
CREATE INDEX access_grants_live_by_created ON access_grants (created_at)
    WHERE deleted_at IS NULL;

CREATE TABLE access_grant_entrances (
    access_grant_id TEXT NOT NULL REFERENCES access_grants (id),
    entrance_id     TEXT NOT NULL REFERENCES entrances (id),
    -- The reservation's override sequence for this door; NULL for standard access.
    sequence        INTEGER,
    PRIMARY KEY (access_grant_id, entrance_id)
) WITHOUT ROWID;
CREATE INDEX access_grant_entrances_by_entrance
    ON access_grant_entrances (entrance_id, access_grant_id);

CREATE TABLE access_methods (
    id                   TEXT PRIMARY KEY,
    access_grant_id      TEXT NOT NULL REFERENCES access_grants (id),
    request_index        INTEGER NOT NULL, -- which requested access method made it
    mode                 TEXT NOT NULL CHECK (mode IN ('card', 'mobile_key', 'code')),
    code                 TEXT,
    copy_number          INTEGER, -- cards: 1 for the first card of the grant, 2 for its copy…
    created_at           TEXT NOT NULL,
    issued_at            TEXT,
    card_id              TEXT,
    is_encoding_required INTEGER NOT NULL DEFAULT 0 CHECK (is_encoding_required IN (0, 1)),
    revoked_at           TEXT,
    collected_at         TEXT
);
CREATE INDEX access_methods_by_grant ON access_methods (access_grant_id);

CREATE TABLE warnings (
    id               INTEGER PRIMARY KEY,
    access_grant_id  TEXT NOT NULL REFERENCES access_grants (id),
    access_method_id TEXT REFERENCES access_methods (id),
    entrance_id      TEXT REFERENCES entrances (id), -- the door a lock-timeline warning is about
    code             TEXT NOT NULL,
    message          TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX warnings_by_grant ON warnings (access_grant_id);
CREATE INDEX warnings_by_entrance ON warnings (entrance_id) WHERE entrance_id IS NOT NULL;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject_id TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
    before     TEXT, -- JSON of what the action changed, as it was
    after      TEXT, -- JSON of what the action changed, as it is now
    detail     TEXT
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX audit_log_by_subject ON audit_log (subject_id);
