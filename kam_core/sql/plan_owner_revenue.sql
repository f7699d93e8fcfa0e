-- Per owner (by identity key; NULL: clients without an owner): clients held, their revenue from
-- $start to $upto and over the same days a year earlier ($prev_start to $prev_upto).
WITH owner_keys AS (
    SELECT unnest(CAST($owner_names AS VARCHAR[])) AS owner, unnest(CAST($owner_keys AS VARCHAR[])) AS owner_key
),
revenue AS (
    SELECT client_key,
           sum(amount) FILTER (WHERE order_date BETWEEN $start AND $upto) AS now,
           sum(amount) FILTER (WHERE order_date BETWEEN $prev_start AND $prev_upto) AS before
    FROM transactions
    WHERE order_date BETWEEN $prev_start AND $upto
    GROUP BY client_key
)
SELECT o.owner_key, min(d.owner) AS owner, count(*) AS clients,
       CAST(coalesce(sum(r.now), 0) AS DOUBLE) AS revenue,
       CAST(coalesce(sum(r.before), 0) AS DOUBLE) AS revenue_prev
FROM client_dim d
LEFT JOIN owner_keys o ON o.owner = d.owner
LEFT JOIN revenue r USING (client_key)
GROUP BY o.owner_key
