-- The rows of `tiered` (tiers_pinned.sql) with display names (`names`, tiers_unit_names.sql), by
-- period and rank; pinned units without sales last in their period.
SELECT t.period_start, t.unit_key, coalesce(n.unit_name, t.unit_key) AS unit_name, t.value, t.share, t.cum_share,
       t.rank, t.tier, t.computed_tier, t.pinned, t.reason
FROM tiered t
LEFT JOIN names n USING (unit_key)
ORDER BY t.period_start, t.rank NULLS LAST, t.unit_key
