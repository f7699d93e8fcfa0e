-- The BG/NBD summary per unit from its order days on or before $as_of: frequency = repeat order
-- days, recency = days from the first to the last order day, age = days from the first to as_of.
-- recent (registered by the caller): the features of the last 24 months (unit_key, first_order,
-- last_order, dates_24m, pos = the row's place in them); only the order days on or before
-- $gap_after are read here, so each line is read once. The features' units come first, in their
-- order, then the units silent for 24 months by key.
WITH older_clients AS (
    -- Each client's older order days as one bit per day since $first_day ($span + 1 bits): a plain
    -- aggregate over ~200k clients, where a DISTINCT (client, day) would build millions of groups.
    SELECT client_key,
           bitstring_agg(CAST(order_date - $first_day AS INTEGER), 0, $span) AS days,
           min(order_date) AS first_before, max(order_date) AS last_before
    FROM transactions
    WHERE order_date <= $gap_after
    GROUP BY client_key
),
older AS (
    -- A group's order days: the union (bit_or) of its clients' days.
    SELECT CASE WHEN $level = 'group' THEN d.group_key ELSE d.client_key END AS unit_key,
           bit_count(bit_or(o.days)) AS days_before,
           min(o.first_before) AS first_before, max(o.last_before) AS last_before
    FROM older_clients o
    JOIN client_dim d USING (client_key)
    GROUP BY 1
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
