-- What the data spans: first order, data end, lines, clients, whether profit is mapped, demo datasets present.
SELECT (SELECT min(order_date) FROM transactions) AS first_day,
       coalesce((SELECT max(data_through) FROM datasets WHERE kind = 'orders' AND rows_loaded > rows_replaced),
                (SELECT max(order_date) FROM transactions)) AS data_end,
       (SELECT count(*) FROM transactions) AS lines,
       (SELECT count(DISTINCT client_key) FROM transactions) AS clients,
       (SELECT count(*) FROM transactions WHERE profit IS NOT NULL) > 0 AS has_profit,
       (SELECT count(*) FROM datasets WHERE is_demo) AS demo_datasets,
       (SELECT count(*) FROM datasets) AS datasets
