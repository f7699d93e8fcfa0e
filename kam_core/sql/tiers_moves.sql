-- The units of `moves` (the view of tiers_migration.sql) with display names (`names`) and pin
-- reasons; money as DOUBLE for display.
SELECT m.from_start, m.to_start, m.unit_key, coalesce(n.unit_name, m.unit_key) AS unit_name,
       m.from_state, m.to_state, CAST(m.value_from AS DOUBLE) AS value_from, CAST(m.value_to AS DOUBLE) AS value_to,
       m.pinned, CASE WHEN m.pinned THEN o.reason END AS reason
FROM moves m
LEFT JOIN names n USING (unit_key)
LEFT JOIN tier_overrides o ON o.client_key = m.unit_key
ORDER BY m.from_start, m.to_start, m.unit_key
