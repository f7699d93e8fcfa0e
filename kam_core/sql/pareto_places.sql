-- Active units (value > 0) of the window [$start, $end] by the client's region and city (client_dim):
-- the leaves of the region -> city -> client treemap. At group level a group's clients are summed
-- per city, so a group appears in every city it sells in. Missing region or city is ''.
WITH clients AS (
    SELECT client_key, sum(CASE WHEN $measure = 'profit' THEN profit ELSE amount END) AS value
    FROM transactions
    WHERE order_date BETWEEN $start AND $end
    GROUP BY client_key
),
units AS (
    SELECT coalesce(d.region, '') AS region,
           coalesce(d.city, '') AS city,
           CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key,
           sum(c.value) AS value
    FROM clients c
    JOIN client_dim d USING (client_key)
    GROUP BY ALL
)
SELECT region, city, unit_key, value
FROM units
WHERE value > 0
ORDER BY region, city, value DESC, unit_key
