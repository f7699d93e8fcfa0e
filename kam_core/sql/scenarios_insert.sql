-- A saved prepayment scenario; data_version is the store's version when it was computed.
INSERT INTO prepay_scenarios (scenario_id, name, client_key, inputs, results, data_version, created_at)
SELECT nextval('scenario_seq'), $name, $client_key::VARCHAR, $inputs, $results,
       coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'version'), 0), now()::TIMESTAMP
RETURNING scenario_id
