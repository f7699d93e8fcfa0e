-- One client's archive fields from the app; a field flagged unchanged keeps its stored value.
-- An edit belongs to no import (dataset_id NULL), so deleting the archive import keeps it.
INSERT INTO client_layers
VALUES (nextval('client_layer_seq'), NULL, $key, $client_name, NULL, $group_name, $chain_scope, $store_count, $owner,
        $region, $city, $service_level, CAST($potential AS DECIMAL(18,4)), $note, $set_client_name, false,
        $set_group_name, $set_chain_scope, $set_store_count, $set_owner, $set_region, $set_city, $set_service_level,
        $set_potential, $set_note, now()::TIMESTAMP, $who);
INSERT INTO clients (client_key, client_name, group_name, chain_scope, store_count, owner, region, city,
                     service_level, potential, note, dataset_id, updated_at, updated_by)
VALUES ($key, $client_name, $group_name, $chain_scope, $store_count, $owner, $region, $city,
        $service_level, CAST($potential AS DECIMAL(18,4)), $note, NULL, now()::TIMESTAMP, $who)
ON CONFLICT (client_key) DO UPDATE SET
    client_name   = CASE WHEN $set_client_name THEN excluded.client_name ELSE clients.client_name END,
    group_name    = CASE WHEN $set_group_name THEN excluded.group_name ELSE clients.group_name END,
    chain_scope   = CASE WHEN $set_chain_scope THEN excluded.chain_scope ELSE clients.chain_scope END,
    store_count   = CASE WHEN $set_store_count THEN excluded.store_count ELSE clients.store_count END,
    owner         = CASE WHEN $set_owner THEN excluded.owner ELSE clients.owner END,
    region        = CASE WHEN $set_region THEN excluded.region ELSE clients.region END,
    city          = CASE WHEN $set_city THEN excluded.city ELSE clients.city END,
    service_level = CASE WHEN $set_service_level THEN excluded.service_level ELSE clients.service_level END,
    potential     = CASE WHEN $set_potential THEN excluded.potential ELSE clients.potential END,
    note          = CASE WHEN $set_note THEN excluded.note ELSE clients.note END,
    dataset_id    = NULL,
    updated_at    = excluded.updated_at,
    updated_by    = excluded.updated_by
