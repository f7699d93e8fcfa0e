-- Named groups (集团) with their members and revenue in [$start, $end] (all data when NULL).
WITH revenue AS (
    SELECT client_key, sum(amount) AS revenue
    FROM transactions
    WHERE ($start IS NULL OR order_date >= $start) AND ($end IS NULL OR order_date <= $end)
    GROUP BY client_key
)
SELECT d.group_key, min(d.group_label) AS group_label, count(*) AS members,
       CAST(coalesce(sum(r.revenue), 0) AS DOUBLE) AS revenue,
       count(*) FILTER (WHERE coalesce(r.revenue, 0) > 0) AS active_members
FROM client_dim d
LEFT JOIN revenue r USING (client_key)
WHERE d.group_name IS NOT NULL
GROUP BY d.group_key
ORDER BY revenue DESC, d.group_key
