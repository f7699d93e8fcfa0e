-- The targets of one period against the revenue from the period's start up to $upto (the as-of
-- date, at most the period's end). A client target counts the client's own lines; an owner target
-- counts the lines of the clients that owner holds (client_dim.owner: the archive's, else the
-- latest line's), owners matched by their identity key ($owner_names -> $owner_keys). A client target
-- shows the client's display name; one for a client without lines, the name as the target file wrote it.
-- behind: actual below target x elapsed / days, compared exactly as actual x days < target x elapsed.
WITH owner_keys AS (
    SELECT unnest(CAST($owner_names AS VARCHAR[])) AS owner, unnest(CAST($owner_keys AS VARCHAR[])) AS owner_key
),
revenue AS (
    SELECT client_key, sum(amount) AS actual
    FROM transactions
    WHERE order_date BETWEEN $start AND $upto
    GROUP BY client_key
),
per_client AS (
    SELECT d.client_key, d.owner, o.owner_key, coalesce(r.actual, 0) AS actual
    FROM client_dim d
    LEFT JOIN owner_keys o ON o.owner = d.owner
    LEFT JOIN revenue r USING (client_key)
),
per_owner AS (
    SELECT owner_key, sum(actual) AS actual, count(*) AS clients
    FROM per_client
    WHERE owner_key IS NOT NULL
    GROUP BY owner_key
),
goals AS (
    SELECT level, name_key, name, target FROM targets WHERE period = $period
)
SELECT g.level, g.name_key,
       coalesce(d.client_name, g.name) AS name,   -- a client as the app names it (its commonest spelling)
       CASE WHEN g.level = 'client' THEN c.owner ELSE g.name END AS owner,
       CAST(g.target AS DOUBLE) AS target,
       CAST(coalesce(CASE WHEN g.level = 'client' THEN c.actual ELSE o.actual END, 0) AS DOUBLE) AS actual,
       CASE WHEN g.level = 'client' THEN CAST(c.client_key IS NOT NULL AS INTEGER)
            ELSE coalesce(o.clients, 0) END AS clients,
       coalesce(CASE WHEN g.level = 'client' THEN c.actual ELSE o.actual END, 0) * $days
           < g.target * $elapsed AS behind
FROM goals g
LEFT JOIN per_client c ON g.level = 'client' AND c.client_key = g.name_key
LEFT JOIN per_owner o ON g.level = 'owner' AND o.owner_key = g.name_key
LEFT JOIN client_dim d ON g.level = 'client' AND d.client_key = g.name_key
ORDER BY g.level, g.name_key
