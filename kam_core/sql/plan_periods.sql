-- The periods the targets name, with how many targets each.
SELECT period, count(*) FILTER (WHERE level = 'client') AS client_targets,
       count(*) FILTER (WHERE level = 'owner') AS owner_targets
FROM targets
GROUP BY period
ORDER BY period
