-- Remove one saved prepayment scenario.
DELETE FROM prepay_scenarios WHERE scenario_id = $scenario_id RETURNING scenario_id
