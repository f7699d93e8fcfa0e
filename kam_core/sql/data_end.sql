-- The last day the data speaks for: the latest "data through" of the order imports, else the last order date.
SELECT coalesce(
    (SELECT max(data_through) FROM datasets WHERE kind = 'orders' AND rows_loaded > rows_replaced),
    (SELECT max(order_date) FROM transactions)
)
