-- Wrong PINs in a row, by the name typed (known or not, so that a lock-out does not tell
-- which names exist). A successful sign-in clears the name's row.
CREATE TABLE sign_in_failures (
    name           TEXT PRIMARY KEY COLLATE NOCASE,
    failures       INTEGER NOT NULL,
    last_failed_at TEXT NOT NULL,
    locked_until   TEXT
) WITHOUT ROWID;

-- No query reads grants by creation time.
DROP INDEX access_grants_live_by_created;
