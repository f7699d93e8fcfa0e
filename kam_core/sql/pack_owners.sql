-- The owner of each unit: the client's (archive, else latest line); a group's owners listed.
SELECT CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key,
       string_agg(DISTINCT owner, ' / ' ORDER BY owner) AS owner
FROM client_dim
GROUP BY 1
