-- The changes the audit log records: one use case (a check-in, a move) writes several
-- entries in one transaction, and the log reads as one line per change.

CREATE TABLE audit_changes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The use case, e.g. `stay.check_in`: what the change was asked to do.
    action TEXT NOT NULL
);

-- Entries written before changes were recorded have none: each is a change of its own.
ALTER TABLE audit_log ADD COLUMN change_id INTEGER REFERENCES audit_changes (id);
CREATE INDEX audit_log_by_change ON audit_log (change_id) WHERE change_id IS NOT NULL;
