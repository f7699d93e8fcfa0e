-- Where every unit stands in [$start, $end]: its value (revenue or profit), its rank among active units
-- (value > 0; ties by key, code-point order, as in period_ranks), and at client level the same within
-- its city (client_dim.city). Units with lines but value <= 0 come back unranked; active and total
-- (the active units and their value) are repeated on every row.
WITH units AS (
    SELECT CASE WHEN $level = 'group' THEN d.group_key ELSE t.client_key END AS unit_key,
           sum(CASE WHEN $measure = 'profit' THEN t.profit ELSE t.amount END) AS value
    FROM transactions t
    JOIN client_dim d USING (client_key)
    WHERE t.order_date BETWEEN $start AND $end
    GROUP BY 1
),
placed AS (
    SELECT u.unit_key, u.value, CASE WHEN $level = 'group' THEN NULL ELSE d.city END AS city
    FROM units u
    LEFT JOIN client_dim d ON d.client_key = u.unit_key
),
active AS (
    SELECT * FROM placed WHERE value > 0
),
ranked AS (
    SELECT unit_key,
           row_number() OVER (ORDER BY value DESC, unit_key ASC) AS rank,
           CASE WHEN city IS NOT NULL THEN row_number() OVER (PARTITION BY city ORDER BY value DESC, unit_key ASC) END
               AS city_rank,
           CASE WHEN city IS NOT NULL THEN count(*) OVER (PARTITION BY city) END AS city_active,
           CASE WHEN city IS NOT NULL THEN sum(value) OVER (PARTITION BY city) END AS city_total
    FROM active
)
SELECT p.unit_key, p.value, p.city, r.rank, r.city_rank, r.city_active, r.city_total,
       (SELECT count(*) FROM active) AS active,
       (SELECT sum(value) FROM active) AS total
FROM placed p
LEFT JOIN ranked r USING (unit_key)
