-- The migration matrices of `moves` (the view of tiers_migration.sql): per pair and cell, the units
-- and their exact P and Q sums.
SELECT from_start, to_start, from_state, to_state, count(*) AS clients,
       sum(value_from) AS value_from, sum(value_to) AS value_to
FROM moves
GROUP BY ALL
