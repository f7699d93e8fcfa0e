-- Daily revenue, from the period's start up to $upto, of the clients a set of targets covers:
-- $level 'client': the clients with a client target in $period ($name_key: only that one);
-- $level 'owner': the clients held by owners with an owner target in $period ($name_key: one owner).
WITH owner_keys AS (
    SELECT unnest(CAST($owner_names AS VARCHAR[])) AS owner, unnest(CAST($owner_keys AS VARCHAR[])) AS owner_key
),
goals AS (
    SELECT name_key FROM targets
    WHERE period = $period AND level = $level AND ($name_key IS NULL OR name_key = $name_key)
),
covered AS (
    SELECT d.client_key
    FROM client_dim d
    LEFT JOIN owner_keys o ON o.owner = d.owner
    WHERE (CASE WHEN $level = 'client' THEN d.client_key ELSE o.owner_key END) IN (SELECT name_key FROM goals)
)
SELECT order_date AS day, sum(amount) AS revenue
FROM transactions
WHERE order_date BETWEEN $start AND $upto
  AND client_key IN (SELECT client_key FROM covered)
GROUP BY order_date
ORDER BY order_date
