-- A unit's revenue and profit by calendar month within [$start, $end] (months without lines are absent).
WITH members AS (
    SELECT client_key FROM client_dim
    WHERE CASE WHEN $level = 'group' THEN group_key ELSE client_key END = $unit
)
SELECT CAST(date_trunc('month', order_date) AS DATE) AS month,
       sum(amount) AS revenue,
       sum(profit) AS profit,
       count(*) AS lines,
       count(DISTINCT order_id) AS orders
FROM transactions
WHERE client_key IN (SELECT client_key FROM members)
  AND order_date BETWEEN $start AND $end
GROUP BY 1
ORDER BY 1
