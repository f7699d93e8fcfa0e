-- Loaded order datasets whose date range meets [lo, hi], with how many of their lines fall inside it.
SELECT d.dataset_id, d.file_name, d.date_min, d.date_max,
       (SELECT count(*) FROM transactions t
        WHERE t.dataset_id = d.dataset_id AND t.order_date BETWEEN $lo AND $hi) AS lines_in_range
FROM datasets d
WHERE d.kind = 'orders' AND d.rows_loaded > d.rows_replaced AND NOT (d.is_demo AND $ignore_demo)
  AND d.date_min <= $hi AND d.date_max >= $lo
ORDER BY d.dataset_id
