-- Potential (潜力) of every client in the archive or with orders, at $as_of:
-- the archive's entered annual potential, else stores x the 75th percentile (linear interpolation)
-- of trailing-12-month revenue per store among active clients (t12m > 0) of the same chain scope
-- with a store count. t12m: order dates in ($as_of - 1 year, $as_of], i.e. [$t12m_start, $as_of].
-- headroom = max(0, potential - t12m). Per-store revenue is a DOUBLE so the quantile keeps its
-- fraction (a DECIMAL quantile is rounded to the input's scale).
WITH t12m AS (
    SELECT client_key, sum(amount) AS t12m
    FROM transactions
    WHERE order_date BETWEEN $t12m_start AND $as_of
    GROUP BY client_key
),
base AS (
    SELECT d.client_key, d.client_name, d.owner, d.region, d.city, d.chain_scope, d.store_count,
           d.group_key, d.group_label, d.in_archive, d.lines > 0 AS has_orders, d.last_order,
           d.potential AS entered, coalesce(t.t12m, 0) AS t12m
    FROM client_dim d
    LEFT JOIN t12m t USING (client_key)
),
peers AS (
    SELECT chain_scope,
           quantile_cont(CAST(t12m AS DOUBLE) / store_count, 0.75) AS per_store_p75,
           count(*) AS peers
    FROM base
    WHERE t12m > 0 AND store_count > 0 AND chain_scope IS NOT NULL
    GROUP BY chain_scope
),
estimated AS (
    SELECT b.*, p.per_store_p75, coalesce(p.peers, 0) AS peers,
           CASE WHEN b.store_count > 0 THEN b.store_count * p.per_store_p75 END AS estimated
    FROM base b
    LEFT JOIN peers p USING (chain_scope)
)
SELECT client_key, client_name, owner, region, city, chain_scope, store_count, group_key, group_label,
       in_archive, has_orders, last_order, CAST(t12m AS DOUBLE) AS t12m,
       CAST(entered AS DOUBLE) AS entered, per_store_p75, peers, estimated,
       coalesce(CAST(entered AS DOUBLE), estimated) AS potential,
       CASE WHEN entered IS NOT NULL THEN 'entered' WHEN estimated IS NOT NULL THEN 'estimated' END AS source,
       -- greatest() skips NULLs: without a potential there is no headroom either
       CASE WHEN coalesce(CAST(entered AS DOUBLE), estimated) IS NOT NULL
            THEN greatest(0, coalesce(CAST(entered AS DOUBLE), estimated) - CAST(t12m AS DOUBLE)) END AS headroom
FROM estimated
ORDER BY client_key
