-- Per unit, its order days on or before $gap_after (older than the 24 months the features query
-- reads): how many, the first and the last. With the features, the whole history the BG/NBD
-- summary needs, while each line is read once.
WITH unit_ids AS (
    SELECT client_key, unit_key, CAST(dense_rank() OVER (ORDER BY unit_key) AS INTEGER) AS uid
    FROM (SELECT client_key, CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key
          FROM client_dim)
),
summary AS (
    -- order days first, then one plain aggregate per unit: faster than count(DISTINCT) per unit
    SELECT uid, count(*) AS days_before, min(order_date) AS first_before, max(order_date) AS last_before
    FROM (SELECT DISTINCT u.uid, t.order_date
          FROM transactions t
          JOIN unit_ids u USING (client_key)
          WHERE t.order_date <= $gap_after)
    GROUP BY uid
)
SELECT k.unit_key, s.days_before, s.first_before, s.last_before
FROM summary s
JOIN (SELECT DISTINCT uid, unit_key FROM unit_ids) k USING (uid)
