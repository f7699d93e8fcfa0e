-- The clients a unit stands for: itself at client level, every member at group level.
SELECT client_key
FROM client_dim
WHERE CASE WHEN $level = 'group' THEN group_key ELSE client_key END = $unit
