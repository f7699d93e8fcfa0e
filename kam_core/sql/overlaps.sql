-- Loaded order datasets that have lines inside [lo, hi].
SELECT d.dataset_id, d.file_name, d.date_min, d.date_max, count(*) AS lines_in_range
FROM transactions t
JOIN datasets d USING (dataset_id)
WHERE t.order_date BETWEEN $lo AND $hi
GROUP BY ALL
ORDER BY d.dataset_id
