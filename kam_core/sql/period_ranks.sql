-- Units ranked by value within each period of [$start, $end]: rank, cumulative value before,
-- period total of active units (unordered: queries built on it sort once, at the end;
-- period_ranks_ordered.sql for the table itself). Reads `unit_sums` (period_start, unit_key, value: each
-- unit's exact sum per period, tiers_unit_sums.sql, registered by the caller). Only active units
-- (value > 0) are ranked; ties by key, code-point order.
WITH units AS (
    SELECT period_start, unit_key, value
    FROM unit_sums
    WHERE period_start BETWEEN $start AND $end AND value > 0
),
totals AS (
    SELECT period_start, sum(value) AS total, count(*) AS active
    FROM units
    GROUP BY ALL
),
-- the window sorts as few columns as it can; the totals join after it
windowed AS (
    SELECT period_start, unit_key, value,
           row_number() OVER w AS rank,
           sum(value) OVER w - value AS cum_before
    FROM units
    WINDOW w AS (PARTITION BY period_start ORDER BY value DESC, unit_key ASC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
ranked AS (
    SELECT w.*, t.total, t.active
    FROM windowed w
    JOIN totals t USING (period_start)
)
-- Tiers by cumulative share (cum_before < cut x total, exact DECIMAL arithmetic) or by fixed
-- value thresholds ($mode = 'fixed': value >= threshold). $theta marks the Pareto top set.
-- Money leaves as DOUBLE: Python only displays it (decided above in decimals).
SELECT period_start, unit_key, CAST(value AS DOUBLE) AS value, rank, CAST(cum_before AS DOUBLE) AS cum_before,
       CAST(total AS DOUBLE) AS total, active,
       cum_before < CAST($theta AS DECIMAL(12,8)) * total AS in_top,
       CASE WHEN $mode = 'fixed' THEN
                CASE WHEN value >= CAST($t1 AS DECIMAL(18,4)) THEN 'key'
                     WHEN value >= CAST($t2 AS DECIMAL(18,4)) THEN 'important'
                     WHEN value >= CAST($t3 AS DECIMAL(18,4)) THEN 'general'
                     ELSE 'maintenance' END
            ELSE
                CASE WHEN cum_before < CAST($c1 AS DECIMAL(12,8)) * total THEN 'key'
                     WHEN cum_before < CAST($c2 AS DECIMAL(12,8)) * total THEN 'important'
                     WHEN cum_before < CAST($c3 AS DECIMAL(12,8)) * total THEN 'general'
                     ELSE 'maintenance' END
       END AS tier
FROM ranked
