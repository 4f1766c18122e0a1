-- Which card a simulated door decided on: the plastic's UID names only the plastic, which is
-- written again for other guests. Decisions recorded before this have none.
ALTER TABLE lock_events ADD COLUMN op_id TEXT;
