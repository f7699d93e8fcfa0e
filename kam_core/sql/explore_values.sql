-- The values of one dimension in [$start, $end] with their revenue, largest first ('' for blank).
WITH base AS (
    SELECT t.amount,
           CASE $dim WHEN 'region' THEN coalesce(t.region, d.region) WHEN 'city' THEN coalesce(t.city, d.city)
                     WHEN 'owner' THEN d.owner WHEN 'category' THEN t.category
                     WHEN 'chain_scope' THEN d.chain_scope WHEN 'channel' THEN t.channel END AS value
    FROM transactions t
    JOIN client_dim d USING (client_key)
    WHERE t.order_date BETWEEN $start AND $end
)
SELECT coalesce(value, '') AS value, sum(amount) AS revenue, count(*) AS lines
FROM base
GROUP BY 1
ORDER BY revenue DESC, value
LIMIT $limit
