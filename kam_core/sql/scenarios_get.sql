-- One saved prepayment scenario, in full.
SELECT s.scenario_id, s.name, s.client_key, coalesce(d.client_name, s.client_key) AS client_name,
       s.inputs, s.results, s.data_version, s.created_at
FROM prepay_scenarios s
LEFT JOIN client_dim d ON d.client_key = s.client_key
WHERE s.scenario_id = $scenario_id
