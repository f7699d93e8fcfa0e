INSERT INTO transactions
SELECT $id, source_row, client_key, client_name, client_id, order_date,
       CAST(amount AS DECIMAL(18,4)), CAST(profit AS DECIMAL(18,4)), quantity, CAST(unit_price AS DECIMAL(18,4)),
       order_id, category, region, city, chain_scope, CAST(store_count AS INTEGER), owner, channel, group_name
FROM staging
WHERE keep
