-- Signed advances that were sized by a saved scenario.
SELECT advance_id FROM advances WHERE scenario_id = $scenario_id ORDER BY advance_id
