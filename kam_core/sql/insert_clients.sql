-- The archive updates by client: fields this file carries replace the stored ones, the others stay.
-- Within one file the last row of a client wins. The row is also kept as the client's latest layer.
INSERT INTO client_layers
SELECT nextval('client_layer_seq'), $id, client_key, client_name, client_id, group_name, chain_scope,
       CAST(store_count AS INTEGER), owner, region, city, service_level, CAST(potential AS DECIMAL(18,4)), note,
       true, $has_client_id, $has_group, $has_chain_scope, $has_store_count, $has_owner, $has_region, $has_city,
       $has_service_level, $has_potential, $has_note, now()::TIMESTAMP, 'import'
FROM staging
WHERE keep
QUALIFY row_number() OVER (PARTITION BY client_key ORDER BY source_row DESC) = 1;
INSERT INTO clients (client_key, client_name, client_id, group_name, chain_scope, store_count, owner, region, city,
                     service_level, potential, note, dataset_id, updated_at, updated_by)
SELECT client_key, client_name, client_id, group_name, chain_scope, CAST(store_count AS INTEGER), owner, region,
       city, service_level, CAST(potential AS DECIMAL(18,4)), note, $id, now()::TIMESTAMP, 'import'
FROM staging
WHERE keep
QUALIFY row_number() OVER (PARTITION BY client_key ORDER BY source_row DESC) = 1
ON CONFLICT (client_key) DO UPDATE SET
    client_name   = excluded.client_name,
    client_id     = CASE WHEN $has_client_id THEN excluded.client_id ELSE clients.client_id END,
    group_name    = CASE WHEN $has_group THEN excluded.group_name ELSE clients.group_name END,
    chain_scope   = CASE WHEN $has_chain_scope THEN excluded.chain_scope ELSE clients.chain_scope END,
    store_count   = CASE WHEN $has_store_count THEN excluded.store_count ELSE clients.store_count END,
    owner         = CASE WHEN $has_owner THEN excluded.owner ELSE clients.owner END,
    region        = CASE WHEN $has_region THEN excluded.region ELSE clients.region END,
    city          = CASE WHEN $has_city THEN excluded.city ELSE clients.city END,
    service_level = CASE WHEN $has_service_level THEN excluded.service_level ELSE clients.service_level END,
    potential     = CASE WHEN $has_potential THEN excluded.potential ELSE clients.potential END,
    note          = CASE WHEN $has_note THEN excluded.note ELSE clients.note END,
    dataset_id    = excluded.dataset_id,
    updated_at    = excluded.updated_at,
    updated_by    = excluded.updated_by
