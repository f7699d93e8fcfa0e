-- Month by month over [$start, $end]: revenue and profit (NULL where profit is not mapped) and the
-- number of active units (client or group with revenue > 0 in that month). Lines are summed per
-- client and month first, so only those sums meet client_dim.
WITH clients AS (
    SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, client_key,
           sum(amount) AS revenue, sum(profit) AS profit
    FROM transactions
    WHERE order_date BETWEEN $start AND $end
    GROUP BY ALL
),
units AS (
    SELECT c.month, CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key,
           sum(c.revenue) AS revenue, sum(c.profit) AS profit
    FROM clients c
    JOIN client_dim d USING (client_key)
    GROUP BY ALL
)
SELECT month, sum(revenue) AS revenue, sum(profit) AS profit, count(*) FILTER (WHERE revenue > 0) AS active
FROM units
GROUP BY month
ORDER BY month
