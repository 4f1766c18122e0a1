-- Each written card comes back or is lost on its own: a card replaced by one on other plastic
-- (new dates, a reissue) is still out there until it is collected, whatever its access method
-- says. The current card of an access method takes the method's own marks.
ALTER TABLE cards ADD COLUMN collected_at TEXT;
ALTER TABLE cards ADD COLUMN lost_at TEXT;
UPDATE cards SET
    collected_at = (SELECT m.collected_at FROM access_methods m WHERE m.id = cards.access_method_id),
    lost_at = (SELECT m.lost_at FROM access_methods m WHERE m.id = cards.access_method_id)
WHERE superseded_at IS NULL AND access_method_id IS NOT NULL;
