-- The BG/NBD summary per unit from its order days on or before $as_of: frequency = repeat order
-- days, recency = days from the first to the last order day, age = days from the first to as_of.
-- recent (registered by the caller): the features of the last 24 months (unit_key, first_order,
-- last_order, dates_24m, pos = the row's place in them); only the order days on or before
-- $gap_after are read here, so each line is read once. The features' units come first, in their
-- order, then the units silent for 24 months by key.
WITH unit_ids AS (
    SELECT client_key, unit_key, CAST(dense_rank() OVER (ORDER BY unit_key) AS INTEGER) AS uid
    FROM (SELECT client_key, CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key
          FROM client_dim)
),
older_ids AS (
    -- order days first, then one plain aggregate per unit: faster than count(DISTINCT) per unit
    SELECT uid, count(*) AS days_before, min(order_date) AS first_before, max(order_date) AS last_before
    FROM (SELECT DISTINCT u.uid, t.order_date
          FROM transactions t
          JOIN unit_ids u USING (client_key)
          WHERE t.order_date <= $gap_after)
    GROUP BY uid
),
older AS (
    SELECT k.unit_key, o.days_before, o.first_before, o.last_before
    FROM older_ids o
    JOIN (SELECT DISTINCT uid, unit_key FROM unit_ids) k USING (uid)
),
joined AS (
    SELECT coalesce(r.unit_key, o.unit_key) AS unit_key, r.pos,
           coalesce(o.days_before, 0) + coalesce(r.dates_24m, 0) AS order_days,
           coalesce(o.first_before, CAST(r.first_order AS DATE)) AS first_day,
           coalesce(CAST(r.last_order AS DATE), o.last_before) AS last_day
    FROM recent r
    FULL OUTER JOIN older o ON o.unit_key = r.unit_key
)
SELECT unit_key, order_days - 1 AS frequency, last_day - first_day AS recency_days,
       CAST($as_of AS DATE) - first_day AS age_days
FROM joined
ORDER BY pos NULLS LAST, unit_key
