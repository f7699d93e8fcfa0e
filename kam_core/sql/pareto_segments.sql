-- Pareto within each segment (region, city, chain scope or owner of the client, from client_dim) of
-- the window [$start, $end]. A unit's value in a segment is the sum of its clients' lines there, so at
-- group level a group spread over several cities counts in each. Only active units (value > 0) are
-- ranked; ties by key in code-point order; in_top decided in exact DECIMAL: cum_before < $theta x
-- total. A missing segment value is ''.
WITH clients AS (
    SELECT client_key, sum(CASE WHEN $measure = 'profit' THEN profit ELSE amount END) AS value
    FROM transactions
    WHERE order_date BETWEEN $start AND $end
    GROUP BY client_key
),
units AS (
    SELECT coalesce(CASE $dimension WHEN 'region' THEN d.region
                                    WHEN 'city' THEN d.city
                                    WHEN 'chain_scope' THEN d.chain_scope
                                    WHEN 'owner' THEN d.owner END, '') AS segment,
           CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key,
           sum(c.value) AS value
    FROM clients c
    JOIN client_dim d USING (client_key)
    GROUP BY ALL
),
ranked AS (
    SELECT segment, unit_key, value,
           row_number() OVER w AS rank,
           sum(value) OVER w - value AS cum_before,
           sum(value) OVER (PARTITION BY segment) AS total
    FROM units
    WHERE value > 0
    WINDOW w AS (PARTITION BY segment ORDER BY value DESC, unit_key ASC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT segment, unit_key, value, rank, cum_before, total,
       cum_before < CAST($theta AS DECIMAL(12,8)) * total AS in_top
FROM ranked
ORDER BY total DESC, segment ASC, rank ASC
