-- One advance month by month: month m (1-based) runs from start + (m - 1) months to start + m months
-- - 1 day. Revenue of the client in each month up to $as_of (later days not yet known); months
-- 1 .. $months (the term, and under the extend rule the months after it up to $as_of).
WITH a AS (
    SELECT client_key, start_date, CAST(recoup_rate AS DECIMAL(10,6)) AS recoup_rate
    FROM advances
    WHERE advance_id = $id
),
months AS (
    SELECT m.month,
           CAST(a.start_date + to_months(CAST(m.month - 1 AS INTEGER)) AS DATE) AS month_start,
           CAST(a.start_date + to_months(CAST(m.month AS INTEGER)) - INTERVAL 1 DAY AS DATE) AS month_end,
           a.client_key, a.recoup_rate
    FROM a, range(1, CAST($months AS BIGINT) + 1) AS m(month)
),
known AS (
    SELECT *, least(month_end, CAST($as_of AS DATE)) AS known_end
    FROM months
)
SELECT k.month, k.month_start, k.month_end, k.month_start <= CAST($as_of AS DATE) AS started,
       k.month_end > CAST($as_of AS DATE) AS partial,
       CAST(coalesce(sum(t.amount), 0) AS DECIMAL(24,4)) * k.recoup_rate AS counted
FROM known k
LEFT JOIN transactions t
  ON t.client_key = k.client_key AND t.order_date BETWEEN k.month_start AND k.known_end
GROUP BY k.month, k.month_start, k.month_end, k.recoup_rate
ORDER BY k.month
