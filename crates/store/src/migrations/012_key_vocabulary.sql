-- A simulated lock remembers whether its deadbolt is thrown (privacy).
ALTER TABLE lock_states ADD COLUMN privacy INTEGER NOT NULL DEFAULT 0;

-- A staff grant's level (area, floor, master, emergency), floors and schedule, as JSON.
ALTER TABLE access_grants ADD COLUMN staff_terms TEXT;
