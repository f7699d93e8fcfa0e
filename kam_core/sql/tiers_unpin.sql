-- Remove one client's pin.
DELETE FROM tier_overrides WHERE client_key = $k
