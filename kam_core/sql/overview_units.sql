-- Per unit (client or group): revenue and profit in the window [$start, $end], in the previous window
-- [$prev_start, $prev_end] and in the one before it [$prev2_start, $prev2_end]; active flags decided in
-- exact DECIMAL; and the first day with a positive line (the first sale), for telling new units.
-- Lines are summed per client first, so only the per-client sums meet client_dim. Units with no line
-- in any of the three windows are left out.
WITH clients AS (
    SELECT client_key,
           sum(amount) FILTER (WHERE order_date BETWEEN $start AND $end) AS revenue,
           sum(profit) FILTER (WHERE order_date BETWEEN $start AND $end) AS profit,
           sum(amount) FILTER (WHERE order_date BETWEEN $prev_start AND $prev_end) AS prev_revenue,
           sum(profit) FILTER (WHERE order_date BETWEEN $prev_start AND $prev_end) AS prev_profit,
           sum(amount) FILTER (WHERE order_date BETWEEN $prev2_start AND $prev2_end) AS prev2_revenue,
           min(order_date) FILTER (WHERE amount > 0) AS first_sale
    FROM transactions
    WHERE order_date <= $end
    GROUP BY client_key
),
units AS (
    SELECT CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key,
           sum(c.revenue) AS revenue, sum(c.profit) AS profit,
           sum(c.prev_revenue) AS prev_revenue, sum(c.prev_profit) AS prev_profit,
           sum(c.prev2_revenue) AS prev2_revenue, min(c.first_sale) AS first_sale
    FROM clients c
    JOIN client_dim d USING (client_key)
    GROUP BY ALL
)
SELECT unit_key, revenue, profit, prev_revenue, prev_profit, prev2_revenue, first_sale,
       coalesce(revenue > 0, FALSE) AS active,
       coalesce(prev_revenue > 0, FALSE) AS prev_active,
       coalesce(prev2_revenue > 0, FALSE) AS prev2_active
FROM units
WHERE revenue IS NOT NULL OR prev_revenue IS NOT NULL OR prev2_revenue IS NOT NULL
ORDER BY unit_key
