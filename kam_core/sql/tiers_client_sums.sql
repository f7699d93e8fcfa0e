-- Each client's value per period over [$start, $end]: date_trunc($kind) periods (month | quarter |
-- year), or one period labelled $start for the whole range when $kind = 'window'. Value = revenue
-- (amount) or profit, summed exactly (refunds included, so a sum may be <= 0). One client's sum in
-- one period fits DECIMAL(18,4) (below 10^14).
SELECT CASE WHEN $kind = 'window' THEN CAST($start AS DATE)
            -- date_trunc binds its specifier even in the branch not taken, so 'window' never reaches it.
            ELSE CAST(date_trunc(CASE WHEN $kind = 'window' THEN 'day' ELSE $kind END, order_date) AS DATE)
       END AS period_start,
       client_key,
       CAST(sum(CASE WHEN $measure = 'profit' THEN profit ELSE amount END) AS DECIMAL(18,4)) AS value
FROM transactions
WHERE order_date BETWEEN $start AND $end
GROUP BY ALL
