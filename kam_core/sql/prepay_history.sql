-- One client's order history by calendar month up to $as_of: revenue, lines, and the store
-- count of the month's latest line that carries one (NULL when none does).
SELECT CAST(date_trunc('month', order_date) AS DATE) AS month,
       sum(amount) AS revenue,
       count(*) AS lines,
       arg_max(store_count, {d: order_date, ds: dataset_id, r: source_row})
           FILTER (WHERE store_count IS NOT NULL) AS store_count
FROM transactions
WHERE client_key = $client_key AND order_date <= $as_of
GROUP BY 1
ORDER BY 1
