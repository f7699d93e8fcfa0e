-- Per unit (client, or group: the summed lines of its clients), from the lines of the 24 months
-- before $as_of, ($gap_after, $as_of]: what the churn signals read. Every window lies inside them
-- and is half-open on the left, (after, until], as DESIGN.md writes them: the last 90 days are
-- ($last_after, $as_of]. A unit silent for 24 months shows no signal and is left out.
-- quarter_tiers (registered by the caller): period_start, unit_key, tier of the current quarter
-- ($current_start) and the one before ($previous_start); levels 0 .. 3 follow $tiers.
WITH unit_ids AS (
    -- An integer per unit: grouping and windows on it are cheaper than on the text key.
    SELECT client_key, unit_key, CAST(dense_rank() OVER (ORDER BY unit_key) AS INTEGER) AS uid
    FROM (SELECT client_key, CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key
          FROM client_dim)
),
lines AS NOT MATERIALIZED (
    SELECT u.uid, t.order_date, t.amount, t.category, t.city
    FROM transactions t
    JOIN unit_ids u USING (client_key)
    WHERE t.order_date > $gap_after AND t.order_date <= $as_of
),
-- Each line with the days since the unit's previous line: 0 on a day already counted, so a gap
-- above 0 (or none, on the first line) starts a distinct order day. Cheaper than grouping the
-- lines into days first: most units order once on a day.
gaps AS (
    SELECT uid, order_date, amount,
           order_date - lag(order_date) OVER (PARTITION BY uid ORDER BY order_date) AS gap
    FROM lines
),
totals AS (
    SELECT uid,
           min(order_date) AS first_order,
           max(order_date) AS last_order,
           count(*) FILTER (WHERE gap IS DISTINCT FROM 0) AS dates_24m,
           median(gap) FILTER (WHERE gap > 0) AS median_gap,
           count(*) FILTER (WHERE gap IS DISTINCT FROM 0 AND order_date > $last_after) AS days_last,
           count(*) FILTER (WHERE gap IS DISTINCT FROM 0 AND order_date > $base_after
                            AND order_date <= $last_after) AS days_base,
           coalesce(sum(amount) FILTER (WHERE order_date > $last_after), 0) AS rev_last,
           coalesce(sum(amount) FILTER (WHERE order_date > $prev_after AND order_date <= $last_after), 0) AS rev_prev,
           coalesce(sum(amount) FILTER (WHERE order_date > $year_ago_after AND order_date <= $year_ago), 0) AS rev_year_ago,
           coalesce(sum(amount) FILTER (WHERE order_date > $t12m_after), 0) AS t12m_revenue
    FROM gaps
    GROUP BY uid
),
-- Breadth: distinct categories and cities (NULL where not mapped, so they count 0).
breadth AS (
    SELECT uid,
           count(DISTINCT category) FILTER (WHERE order_date > $last_after) AS cats_last,
           count(DISTINCT category) FILTER (WHERE order_date <= $last_after) AS cats_prev,
           count(DISTINCT city) FILTER (WHERE order_date > $last_after) AS cities_last,
           count(DISTINCT city) FILTER (WHERE order_date <= $last_after) AS cities_prev
    FROM lines
    WHERE order_date > $prev_after
    GROUP BY uid
),
-- Display name and owner. A group's owner is the owner of its member with the most order lines.
names AS (
    SELECT CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key,
           CASE WHEN $level = 'group' THEN any_value(group_label) ELSE any_value(client_name) END AS unit_name,
           arg_max(owner, {lines: lines, key: client_key}) FILTER (WHERE owner IS NOT NULL) AS owner
    FROM client_dim
    GROUP BY 1
),
tiers_now AS (
    SELECT unit_key, tier FROM quarter_tiers WHERE period_start = $current_start
),
tiers_before AS (
    SELECT unit_key, tier FROM quarter_tiers WHERE period_start = $previous_start
)
SELECT k.unit_key, coalesce(n.unit_name, k.unit_key) AS unit_name, n.owner,
       s.first_order, s.last_order,
       CAST($as_of AS DATE) - s.last_order AS days_since,
       s.dates_24m, s.median_gap,
       s.rev_last, s.rev_prev, s.rev_year_ago, s.t12m_revenue, s.days_last, s.days_base,
       coalesce(b.cats_last, 0) AS cats_last, coalesce(b.cats_prev, 0) AS cats_prev,
       coalesce(b.cities_last, 0) AS cities_last, coalesce(b.cities_prev, 0) AS cities_prev,
       tn.tier, tb.tier AS prev_tier,
       list_position($tiers, tn.tier) - 1 AS tier_level,
       list_position($tiers, tb.tier) - 1 AS prev_tier_level
FROM totals s
JOIN (SELECT DISTINCT uid, unit_key FROM unit_ids) k USING (uid)
LEFT JOIN breadth b USING (uid)
LEFT JOIN names n ON n.unit_key = k.unit_key
LEFT JOIN tiers_now tn ON tn.unit_key = k.unit_key
LEFT JOIN tiers_before tb ON tb.unit_key = k.unit_key
