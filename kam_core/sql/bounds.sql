-- What the data spans: first order, data end, lines, clients, whether profit is mapped, demo datasets present.
-- Clients are counted in client_dim (rebuilt with every import and deletion): a distinct count over
-- every order line is the one costly part of this query in a large portfolio.
SELECT (SELECT min(order_date) FROM transactions) AS first_day,
       coalesce((SELECT max(data_through) FROM datasets WHERE kind = 'orders' AND rows_loaded > rows_replaced),
                (SELECT max(order_date) FROM transactions)) AS data_end,
       (SELECT count(*) FROM transactions) AS lines,
       (SELECT count(*) FROM client_dim WHERE lines > 0) AS clients,
       (SELECT count(*) FROM transactions WHERE profit IS NOT NULL) > 0 AS has_profit,
       (SELECT count(*) FROM datasets WHERE is_demo) AS demo_datasets,
       (SELECT count(*) FROM datasets) AS datasets
