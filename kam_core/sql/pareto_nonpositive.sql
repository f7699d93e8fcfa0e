-- Units whose value in the window [$start, $end] is zero or negative (refunds at least as large as
-- sales): listed apart from the Pareto ranking, which holds active units only. Value = revenue or
-- profit; unit = client or group. Units whose profit is not mapped (NULL) are neither. Lines are
-- summed per client first, so only the per-client sums meet client_dim.
WITH clients AS (
    SELECT client_key, sum(CASE WHEN $measure = 'profit' THEN profit ELSE amount END) AS value
    FROM transactions
    WHERE order_date BETWEEN $start AND $end
    GROUP BY client_key
),
units AS (
    SELECT CASE WHEN $level = 'group' THEN d.group_key ELSE c.client_key END AS unit_key, sum(c.value) AS value
    FROM clients c
    JOIN client_dim d USING (client_key)
    GROUP BY ALL
)
SELECT unit_key, value
FROM units
WHERE value <= 0
ORDER BY value ASC, unit_key ASC
