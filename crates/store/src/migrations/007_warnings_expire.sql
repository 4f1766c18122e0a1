-- A warning about a card that still opens doors holds until the card's end at the latest:
-- after that no lock accepts the card, and readers leave the warning out.
ALTER TABLE warnings ADD COLUMN expires_at TEXT;
