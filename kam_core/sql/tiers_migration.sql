-- Tier migration P -> Q for every pair ($p_starts[i] -> $q_starts[i]) in one pass (DESIGN.md, Migration).
-- Registered by the caller: `tiered` (period_start, unit_key, tier, pinned: the final tiers from
-- tiers_pinned.sql, pins applied) and `unit_sums` (each unit's exact sum per period).
-- Population per pair: units first active (value > 0 in a period) in a period starting on or
-- before Q, plus pinned units (pinned counts as active).
-- Row: the P tier if active in P; else new if first active after P; else inactive.
-- Column: the Q tier if active in Q; else lost if active in P; else inactive.
-- Values are the units' sums in P and Q, refunds included (≤ 0 for units not active there), exact;
-- the caller casts them for display.
WITH pairs AS (
    SELECT unnest(CAST($p_starts AS DATE[])) AS p, unnest(CAST($q_starts AS DATE[])) AS q
),
unit_periods AS (
    SELECT period_start, unit_key, value
    FROM unit_sums
    WHERE period_start <= (SELECT max(q) FROM pairs)
),
first_active AS (
    SELECT unit_key, min(period_start) AS first_active
    FROM unit_periods
    WHERE value > 0
    GROUP BY ALL
),
-- value and final tier of each unit in each period a pair names
facts AS (
    SELECT coalesce(u.period_start, t.period_start) AS period_start, coalesce(u.unit_key, t.unit_key) AS unit_key,
           u.value, t.tier, t.pinned
    FROM (SELECT * FROM unit_periods
          WHERE period_start IN (SELECT p FROM pairs UNION SELECT q FROM pairs)) u
    FULL JOIN (SELECT period_start, unit_key, tier, pinned FROM tiered
               WHERE period_start IN (SELECT p FROM pairs UNION SELECT q FROM pairs)) t
           ON t.period_start = u.period_start AND t.unit_key = u.unit_key
),
pinned_units AS (
    SELECT x.unit_key, f.first_active
    FROM (SELECT DISTINCT unit_key FROM tiered WHERE pinned) x
    LEFT JOIN first_active f USING (unit_key)
),
population AS (
    SELECT pairs.p, pairs.q, f.unit_key, f.first_active
    FROM pairs JOIN first_active f ON f.first_active <= pairs.q
    UNION ALL
    SELECT pairs.p, pairs.q, x.unit_key, x.first_active
    FROM pairs JOIN pinned_units x ON x.first_active IS NULL OR x.first_active > pairs.q
)
SELECT pop.p AS from_start, pop.q AS to_start, pop.unit_key,
       coalesce(fp.tier, CASE WHEN pop.first_active > pop.p THEN 'new' ELSE 'inactive' END) AS from_state,
       coalesce(fq.tier, CASE WHEN fp.tier IS NOT NULL THEN 'lost' ELSE 'inactive' END) AS to_state,
       coalesce(fp.value, 0) AS value_from,
       coalesce(fq.value, 0) AS value_to,
       coalesce(fp.pinned, false) OR coalesce(fq.pinned, false) AS pinned
FROM population pop
LEFT JOIN facts fp ON fp.period_start = pop.p AND fp.unit_key = pop.unit_key
LEFT JOIN facts fq ON fq.period_start = pop.q AND fq.unit_key = pop.unit_key
