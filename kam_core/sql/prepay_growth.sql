-- Per client, as of $as_of: stores now (the archive wins, else the latest line's count) and a
-- year ago (the latest line on or before $year_ago), trailing 12-month revenue (dates in
-- ($year_ago, $as_of]) and the 12 months before ($two_years_ago, $year_ago]. Expansion flags
-- compare in exact decimal arithmetic (a tie at a threshold counts as expanding):
--   by_stores:  stores_now - stores_year_ago >= $min_new_stores and
--               stores_now >= (1 + $min_store_growth) x stores_year_ago
--   by_revenue: revenue_t12m >= (1 + $min_revenue_growth) x revenue_prev12m, revenue_prev12m > 0
-- $client_key (or NULL for every client) narrows to one client; $only_expanding keeps the
-- active clients (revenue_t12m > 0) with at least one flag.
WITH per_client AS (
    SELECT client_key,
           coalesce(sum(amount) FILTER (WHERE order_date > $year_ago), 0) AS revenue_t12m,
           coalesce(sum(amount) FILTER (WHERE order_date > $two_years_ago AND order_date <= $year_ago), 0)
               AS revenue_prev12m,
           arg_max(store_count, {d: order_date, ds: dataset_id, r: source_row})
               FILTER (WHERE store_count IS NOT NULL) AS stores_lines_now,
           arg_max(store_count, {d: order_date, ds: dataset_id, r: source_row})
               FILTER (WHERE store_count IS NOT NULL AND order_date <= $year_ago) AS stores_year_ago
    FROM transactions
    WHERE order_date <= $as_of
      AND ($client_key::VARCHAR IS NULL OR client_key = $client_key::VARCHAR)
    GROUP BY client_key
),
joined AS (
    SELECT d.client_key, d.client_name, d.chain_scope, d.owner, d.region,
           a.store_count AS archive_stores,
           p.stores_lines_now,
           coalesce(a.store_count, p.stores_lines_now) AS stores_now,
           p.stores_year_ago,
           coalesce(p.revenue_t12m, 0) AS revenue_t12m,
           coalesce(p.revenue_prev12m, 0) AS revenue_prev12m
    FROM client_dim d
    LEFT JOIN per_client p ON p.client_key = d.client_key
    LEFT JOIN clients a ON a.client_key = d.client_key
    WHERE ($client_key::VARCHAR IS NULL OR d.client_key = $client_key::VARCHAR)
),
flagged AS (
    SELECT *,
           coalesce(stores_year_ago > 0
                    AND stores_now - stores_year_ago >= $min_new_stores::INTEGER
                    AND CAST(stores_now AS DECIMAL(18, 4))
                        >= (1 + CAST($min_store_growth AS DECIMAL(9, 4))) * stores_year_ago, FALSE) AS by_stores,
           (revenue_prev12m > 0
            AND revenue_t12m >= (1 + CAST($min_revenue_growth AS DECIMAL(9, 4))) * revenue_prev12m) AS by_revenue
    FROM joined
)
SELECT client_key, client_name, chain_scope, owner, region, archive_stores, stores_lines_now, stores_now,
       stores_year_ago, revenue_t12m, revenue_prev12m, by_stores, by_revenue
FROM flagged
WHERE NOT $only_expanding::BOOLEAN OR (revenue_t12m > 0 AND (by_stores OR by_revenue))
ORDER BY revenue_t12m DESC, client_key
