-- Every client a sizing can start from (order lines or the archive), largest trailing
-- 12-month revenue (dates in ($year_ago, $as_of]) first.
SELECT d.client_key, d.client_name, coalesce(r.revenue_t12m, 0) AS revenue_t12m
FROM client_dim d
LEFT JOIN (
    SELECT client_key, sum(amount) AS revenue_t12m
    FROM transactions
    WHERE order_date > $year_ago AND order_date <= $as_of
    GROUP BY client_key
) r ON r.client_key = d.client_key
ORDER BY revenue_t12m DESC, d.client_key
