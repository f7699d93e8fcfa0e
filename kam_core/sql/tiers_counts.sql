-- Units and value per period and final tier of `tiered` (tiers_pinned.sql's rows).
SELECT period_start, tier, count(*) AS clients, sum(value) AS value
FROM tiered
GROUP BY ALL
