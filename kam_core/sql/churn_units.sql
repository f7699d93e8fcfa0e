-- Each client's unit of analysis: itself, or its group (the archive's, else its own).
SELECT client_key, client_name,
       CASE WHEN $level = 'group' THEN group_key ELSE client_key END AS unit_key
FROM client_dim
ORDER BY client_key
