-- One display name per unit: the client's name, or the group's label (a client without a group is
-- its own group; spellings of one group key resolve to the first label in code-point order).
SELECT CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key,
       min(CASE WHEN $level = 'group' THEN group_label ELSE client_name END) AS unit_name
FROM client_dim
GROUP BY ALL
