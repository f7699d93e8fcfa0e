-- The member clients of one group (a client without a group is its own group), with their
-- revenue in [$start, $end] (all data when both are NULL).
WITH revenue AS (
    SELECT client_key, sum(amount) AS revenue
    FROM transactions
    WHERE ($start IS NULL OR order_date >= $start) AND ($end IS NULL OR order_date <= $end)
    GROUP BY client_key
)
SELECT d.client_key, d.client_name, d.group_label, d.owner, d.region, d.city, d.chain_scope, d.store_count,
       d.in_archive, CAST(coalesce(r.revenue, 0) AS DOUBLE) AS revenue, d.first_order, d.last_order
FROM client_dim d
LEFT JOIN revenue r USING (client_key)
WHERE d.group_key = $group_key
ORDER BY revenue DESC, d.client_key
