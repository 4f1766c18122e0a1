-- The timeline and the stay search read past stays too (a moved or checked-out stay keeps its
-- bar): their grants are deleted, so the live-only indexes do not hold them.

-- A window of days reads the stays that end after its first day, whatever the history.
CREATE INDEX access_grants_stays_by_end ON access_grants (ends_at)
    WHERE reservation_key IS NOT NULL;
-- Every grant a stay ever had, to tell a move (other doors) from a reissue (the same doors).
CREATE INDEX access_grants_stays_by_key ON access_grants (reservation_key, deleted_at)
    WHERE reservation_key IS NOT NULL;
-- A guest's stays, past ones included, for the search by name.
CREATE INDEX access_grants_by_user ON access_grants (user_identity_id);
