-- The BG/NBD summary per unit from its order days on or before $as_of: frequency = repeat order
-- days, recency = days from the first to the last order day, age = days from the first to as_of.
WITH unit_ids AS (
    SELECT client_key, unit_key, CAST(dense_rank() OVER (ORDER BY unit_key) AS INTEGER) AS uid
    FROM (SELECT client_key, CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key
          FROM client_dim)
),
summary AS (
    -- order days first, then one plain aggregate per unit: faster than count(DISTINCT) per unit
    SELECT uid,
           count(*) - 1 AS frequency,
           max(order_date) - min(order_date) AS recency_days,
           CAST($as_of AS DATE) - min(order_date) AS age_days
    FROM (SELECT DISTINCT u.uid, t.order_date
          FROM transactions t
          JOIN unit_ids u USING (client_key)
          WHERE t.order_date <= $as_of)
    GROUP BY uid
)
SELECT k.unit_key, s.frequency, s.recency_days, s.age_days
FROM summary s
JOIN (SELECT DISTINCT uid, unit_key FROM unit_ids) k USING (uid)
ORDER BY k.unit_key
