-- Every client in the archive or with orders, with the archive's own fields beside the facts the
-- order lines give (client_dim: the archive wins, else the latest line) and t12m revenue at $as_of
-- (order dates in [$t12m_start, $as_of]). Prospects (archive clients without orders) have t12m 0.
WITH t12m AS (
    SELECT client_key, sum(amount) AS t12m
    FROM transactions
    WHERE order_date BETWEEN $t12m_start AND $as_of
    GROUP BY client_key
)
SELECT d.client_key, d.client_name, d.in_archive, d.lines > 0 AS has_orders,
       d.group_name, d.chain_scope, d.store_count, d.owner, d.region, d.city,
       a.service_level, CAST(a.potential AS DOUBLE) AS potential, a.note,
       d.group_key, d.group_label,
       CAST(coalesce(t.t12m, 0) AS DOUBLE) AS t12m, d.first_order, d.last_order, d.lines,
       a.updated_at, a.updated_by
FROM client_dim d
LEFT JOIN clients a USING (client_key)
LEFT JOIN t12m t USING (client_key)
ORDER BY t12m DESC, d.client_key
