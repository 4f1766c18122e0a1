-- Front-desk terminals: desktop apps that work against the property server that owns this
-- database, each paired once with a one-time secret.

-- A terminal's credential is a long random secret; only its SHA-256 is kept.
CREATE TABLE terminals (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL COLLATE NOCASE,
    credential_hash TEXT NOT NULL,
    paired_at       TEXT NOT NULL,
    revoked_at      TEXT,
    last_seen_at    TEXT
);
-- A name belongs to one paired terminal at a time; a revoked terminal's name may be reused.
CREATE UNIQUE INDEX terminals_by_live_name ON terminals (name) WHERE revoked_at IS NULL;

-- One-time pairing secrets, by their SHA-256; each is redeemed at most once, before it
-- expires, and then names the terminal it made.
CREATE TABLE terminal_pairings (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    terminal_id TEXT REFERENCES terminals (id)
);

-- Operators signed in at terminals, by the SHA-256 of their session token: a session
-- outlives a dropped link and a restart of the server, and ends at sign-out or revocation.
CREATE TABLE terminal_sessions (
    token_hash  TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id),
    terminal_id TEXT NOT NULL REFERENCES terminals (id),
    started_at  TEXT NOT NULL,
    ended_at    TEXT
) WITHOUT ROWID;

-- The encoder an encode was sent to, so that only that encoder is asked what became of it:
-- NULL for the encoder of the process that owns the database, else the terminal's id.
ALTER TABLE encode_operations ADD COLUMN encoder_id TEXT;
DROP INDEX encode_operations_pending;
CREATE INDEX encode_operations_pending ON encode_operations (encoder_id, created_at)
    WHERE state = 'pending';

-- The terminal a change was made at, beside who made it.
ALTER TABLE audit_log ADD COLUMN terminal TEXT;
