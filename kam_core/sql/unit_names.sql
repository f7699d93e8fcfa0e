-- Display names of the units of analysis: clients, or groups (a client without a group is its own).
SELECT DISTINCT CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key,
       CASE WHEN $level = 'group' THEN group_label ELSE client_name END AS unit_name
FROM client_dim
