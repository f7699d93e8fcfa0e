-- Units ranked by value within each period of [$start, $end]: rank, cumulative value before,
-- period total of active units. Periods: date_trunc($kind) (month | quarter | year), or one
-- period for the whole window when $kind = 'window'. Value = revenue (amount) or profit;
-- unit = client or group. Only active units (value > 0) are ranked; ties by key, code-point order.
WITH lines AS (
    SELECT CASE WHEN $kind = 'window' THEN CAST($start AS DATE)
                ELSE CAST(date_trunc($kind, t.order_date) AS DATE) END AS period_start,
           CASE WHEN $level = 'group' THEN d.group_key ELSE t.client_key END AS unit_key,
           CASE WHEN $measure = 'profit' THEN t.profit ELSE t.amount END AS value
    FROM transactions t
    JOIN client_dim d USING (client_key)
    WHERE t.order_date BETWEEN $start AND $end
),
units AS (
    SELECT period_start, unit_key, sum(value) AS value
    FROM lines
    GROUP BY ALL
),
ranked AS (
    SELECT period_start, unit_key, value,
           row_number() OVER w AS rank,
           sum(value) OVER w - value AS cum_before,
           sum(value) OVER (PARTITION BY period_start) AS total,
           count(*) OVER (PARTITION BY period_start) AS active
    FROM units
    WHERE value > 0
    WINDOW w AS (PARTITION BY period_start ORDER BY value DESC, unit_key ASC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
-- Tiers by cumulative share (cum_before < cut x total, exact DECIMAL arithmetic) or by fixed
-- value thresholds ($mode = 'fixed': value >= threshold). $theta marks the Pareto top set.
SELECT period_start, unit_key, value, rank, cum_before, total, active,
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
ORDER BY period_start, rank
