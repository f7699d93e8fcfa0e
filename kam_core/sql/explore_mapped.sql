-- Which dimensions the loaded data fills: lines naming each (own or client's value).
SELECT count(coalesce(t.region, d.region)) AS region,
       count(coalesce(t.city, d.city)) AS city,
       count(d.owner) AS owner,
       count(t.category) AS category,
       count(d.chain_scope) AS chain_scope,
       count(t.channel) AS channel,
       count(d.group_name) AS "group",
       count(t.profit) AS profit
FROM transactions t
JOIN client_dim d USING (client_key)
