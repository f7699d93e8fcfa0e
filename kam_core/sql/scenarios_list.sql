-- Saved prepayment scenarios, newest first, with their headline figures; $client_key NULL for all.
SELECT s.scenario_id, s.name, s.client_key, coalesce(d.client_name, s.client_key) AS client_name,
       s.created_at, s.data_version,
       CAST(s.inputs ->> '$.stores_now' AS INTEGER) AS stores_now,
       CAST(s.inputs ->> '$.stores_target' AS INTEGER) AS stores_target,
       CAST(s.inputs ->> '$.term_months' AS INTEGER) AS term_months,
       s.inputs ->> '$.rule' AS rule,
       CAST(s.inputs ->> '$.probability' AS DOUBLE) AS probability,
       CAST(s.results ->> '$.forecast.p10' AS DOUBLE) AS p10,
       CAST(s.results ->> '$.forecast.p50' AS DOUBLE) AS p50,
       CAST(s.results ->> '$.forecast.p90' AS DOUBLE) AS p90,
       CAST(s.results ->> '$.recommended_advance' AS DOUBLE) AS recommended_advance,
       CAST(s.results ->> '$.advance' AS DOUBLE) AS advance,
       CAST(s.results ->> '$.recoup_probability' AS DOUBLE) AS recoup_probability
FROM prepay_scenarios s
LEFT JOIN client_dim d ON d.client_key = s.client_key
WHERE $client_key::VARCHAR IS NULL OR s.client_key = $client_key::VARCHAR
ORDER BY s.created_at DESC, s.scenario_id DESC
