-- Every advance's sums as of $as_of (DESIGN.md, "Advance ledger"). Term end = start + N months
-- - 1 day. Counted sales run from the start to $as_of, stopping at the term end under the refund
-- rule. The run-rate window is the last min(90, days counted) days of that span, both ends included.
-- Sums stay DECIMAL; counted = recoup rate (as DECIMAL) x revenue, exact.
WITH terms AS (
    SELECT a.advance_id, a.client_key, coalesce(d.client_name, a.client_name) AS client_name, d.owner,
           a.amount, a.start_date, a.term_months, a.rule,
           CAST(a.recoup_rate AS DECIMAL(10,6)) AS recoup_rate, a.scenario_id, a.note, a.created_at,
           CAST(a.start_date + to_months(a.term_months) - INTERVAL 1 DAY AS DATE) AS end_date
    FROM advances a
    LEFT JOIN client_dim d USING (client_key)
),
spans AS (
    SELECT *,
           CASE WHEN rule = 'refund' THEN least(CAST($as_of AS DATE), end_date)
                ELSE CAST($as_of AS DATE) END AS count_end
    FROM terms
),
windows AS (
    SELECT *,
           CAST(greatest(count_end - start_date + 1, 0) AS INTEGER) AS days_counted,
           CAST(least(90, greatest(count_end - start_date + 1, 0)) AS INTEGER) AS rate_days
    FROM spans
),
sums AS (
    SELECT w.advance_id,
           sum(t.amount) AS revenue,
           sum(t.amount) FILTER (WHERE t.order_date > w.count_end - w.rate_days) AS rate_revenue
    FROM windows w
    JOIN transactions t
      ON t.client_key = w.client_key AND t.order_date BETWEEN w.start_date AND w.count_end
    GROUP BY w.advance_id
)
SELECT w.advance_id, w.client_key, w.client_name, w.owner, w.amount, w.start_date, w.end_date, w.term_months,
       w.rule, w.recoup_rate, w.scenario_id, w.note, w.created_at, w.count_end, w.days_counted, w.rate_days,
       CAST(coalesce(s.revenue, 0) AS DECIMAL(24,4)) * w.recoup_rate AS counted,
       CAST(coalesce(s.rate_revenue, 0) AS DECIMAL(24,4)) * w.recoup_rate AS rate_counted,
       CAST(greatest(w.end_date - CAST($as_of AS DATE), 0) AS INTEGER) AS days_left,
       CAST($as_of AS DATE) > w.end_date AS term_ended
FROM windows w
LEFT JOIN sums s USING (advance_id)
ORDER BY w.advance_id
