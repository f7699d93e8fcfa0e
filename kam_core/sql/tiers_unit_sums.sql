-- Each unit's exact sum per period from `client_sums` (tiers_client_sums.sql, registered by the
-- caller): the client itself, or its group (a client without a group is its own). A unit's sum in
-- one period fits DECIMAL(18,4) (below 10^14); the running sums of the ranking then stay on the
-- fast path while remaining exact.
SELECT c.period_start, CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key,
       CAST(sum(c.value) AS DECIMAL(18,4)) AS value
FROM client_sums c
JOIN client_dim d USING (client_key)
GROUP BY ALL
