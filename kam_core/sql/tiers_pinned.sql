-- Final tiers per period: `ranked` (the view of period_ranks) with strategic pins applied. A pinned
-- client keeps its pinned tier in every period of $starts, with a row (value 0, no rank) in the
-- periods it bought nothing in; pins apply at client level only and change no other unit's tier.
-- share and cum_share are for display (the tiers were decided in exact decimals). Unordered.
WITH pins AS (
    SELECT client_key AS unit_key, tier, reason
    FROM tier_overrides
    WHERE $level = 'client'
),
starts AS (
    SELECT unnest(CAST($starts AS DATE[])) AS period_start
),
-- a unit is ranked in a period exactly when its sum there (unit_sums) is > 0
idle_pins AS (
    SELECT s.period_start, p.*
    FROM starts s CROSS JOIN pins p
    ANTI JOIN (SELECT period_start, unit_key FROM unit_sums WHERE value > 0) u
         ON u.period_start = s.period_start AND u.unit_key = p.unit_key
)
SELECT r.period_start, r.unit_key, r.value, r.value / r.total AS share,
       (r.cum_before + r.value) / r.total AS cum_share, r.rank,
       coalesce(p.tier, r.tier) AS tier, r.tier AS computed_tier, p.unit_key IS NOT NULL AS pinned, p.reason
FROM ranked r
LEFT JOIN pins p USING (unit_key)
UNION ALL
SELECT period_start, unit_key, 0.0, 0.0, NULL, NULL, tier, NULL, true, reason
FROM idle_pins
