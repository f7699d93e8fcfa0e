SELECT o.client_key, coalesce(d.client_name, o.client_key) AS client_name, o.tier, o.reason, o.created_by, o.created_at
FROM tier_overrides o
LEFT JOIN client_dim d USING (client_key)
ORDER BY o.created_at DESC
