-- What the archive and the order lines say about a unit: owners, places, chain scope, stores,
-- members. At client level each field has one value; at group level the members' values are listed.
SELECT CASE WHEN $level = 'group' THEN any_value(group_label) ELSE any_value(client_name) END AS name,
       string_agg(DISTINCT owner, ' / ' ORDER BY owner) AS owner,
       string_agg(DISTINCT region, ' / ' ORDER BY region) AS region,
       string_agg(DISTINCT city, ' / ' ORDER BY city) AS city,
       string_agg(DISTINCT chain_scope, ' / ' ORDER BY chain_scope) AS chain_scope,
       sum(store_count) AS store_count,
       any_value(group_name) FILTER (WHERE group_name IS NOT NULL) AS group_name,
       string_agg(DISTINCT service_level, ' / ' ORDER BY service_level) AS service_level,
       sum(potential) AS potential,
       min(first_order) AS first_order,
       max(last_order) AS last_order,
       sum(lines) AS lines,
       count(*) AS members,
       bool_or(in_archive) AS in_archive
FROM client_dim
WHERE CASE WHEN $level = 'group' THEN group_key ELSE client_key END = $unit
