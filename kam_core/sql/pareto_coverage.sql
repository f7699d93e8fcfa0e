-- Active clients of the window [$start, $end] with their chain scope and current owner (client_dim),
-- and the reach of that owner over every client they hold: how many clients, regions and cities.
WITH reach AS (
    SELECT owner,
           count(*) AS owner_clients,
           count(DISTINCT region) AS owner_regions,
           count(DISTINCT city) AS owner_cities
    FROM client_dim
    WHERE owner IS NOT NULL
    GROUP BY owner
),
sales AS (
    SELECT client_key, sum(amount) AS revenue
    FROM transactions
    WHERE order_date BETWEEN $start AND $end
    GROUP BY client_key
)
SELECT d.client_key, d.client_name, d.group_label, d.owner, d.region, d.city, d.chain_scope, s.revenue,
       coalesce(r.owner_clients, 0) AS owner_clients,
       coalesce(r.owner_regions, 0) AS owner_regions,
       coalesce(r.owner_cities, 0) AS owner_cities
FROM sales s
JOIN client_dim d USING (client_key)
LEFT JOIN reach r USING (owner)
WHERE s.revenue > 0
ORDER BY s.revenue DESC, d.client_key
