-- A unit's revenue and profit split by category or by city of the order line, within [$start, $end].
-- Lines that do not name the dimension form one group with item NULL.
WITH members AS (
    SELECT client_key FROM client_dim
    WHERE CASE WHEN $level = 'group' THEN group_key ELSE client_key END = $unit
)
SELECT CASE WHEN $dim = 'category' THEN category WHEN $dim = 'region' THEN region
            WHEN $dim = 'channel' THEN channel ELSE city END AS item,
       sum(amount) AS revenue,
       sum(profit) AS profit,
       count(*) AS lines
FROM transactions
WHERE client_key IN (SELECT client_key FROM members)
  AND order_date BETWEEN $start AND $end
GROUP BY 1
ORDER BY revenue DESC, item NULLS LAST
