-- A simulated lock remembers whether its deadbolt is thrown (privacy).
ALTER TABLE lock_states ADD COLUMN privacy INTEGER NOT NULL DEFAULT 0;
