-- After imports were deleted, what they had replaced comes back.

-- Order lines set aside by a replacing import, once no import still standing replaces their date
-- (one imported after theirs, with their date inside its replace_lo .. replace_hi).
CREATE OR REPLACE TEMP TABLE back AS
SELECT r.* FROM replaced_lines r
WHERE NOT EXISTS (SELECT 1 FROM datasets x
                  WHERE x.replace_lo IS NOT NULL AND x.dataset_id > r.dataset_id
                    AND r.order_date BETWEEN x.replace_lo AND x.replace_hi);
INSERT INTO transactions SELECT * FROM back;
DELETE FROM replaced_lines r WHERE EXISTS (SELECT 1 FROM back b WHERE b.dataset_id = r.dataset_id
                                                                  AND b.source_row = r.source_row);
DROP TABLE back;
UPDATE datasets SET rows_replaced = (SELECT count(*) FROM replaced_lines r WHERE r.dataset_id = datasets.dataset_id)
WHERE kind = 'orders' AND rows_replaced > 0;

-- A target whose row went: the version of the latest import still standing.
INSERT INTO targets
SELECT r.* FROM replaced_targets r
WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.level = r.level AND t.name_key = r.name_key AND t.period = r.period)
QUALIFY row_number() OVER (PARTITION BY r.level, r.name_key, r.period ORDER BY r.dataset_id DESC) = 1;
DELETE FROM replaced_targets r
WHERE EXISTS (SELECT 1 FROM targets t WHERE t.level = r.level AND t.name_key = r.name_key AND t.period = r.period
                                        AND t.dataset_id = r.dataset_id);

-- The archive as the remaining layers make it.
DELETE FROM clients;
INSERT INTO clients (client_key, client_name, client_id, group_name, chain_scope, store_count, owner, region, city,
                     service_level, potential, note, dataset_id, updated_at, updated_by)
SELECT client_key,
       coalesce(arg_max_null(client_name, seq) FILTER (WHERE has_client_name), arg_max(client_name, seq)),
       arg_max_null(client_id, seq) FILTER (WHERE has_client_id),
       arg_max_null(group_name, seq) FILTER (WHERE has_group_name),
       arg_max_null(chain_scope, seq) FILTER (WHERE has_chain_scope),
       arg_max_null(store_count, seq) FILTER (WHERE has_store_count),
       arg_max_null(owner, seq) FILTER (WHERE has_owner),
       arg_max_null(region, seq) FILTER (WHERE has_region),
       arg_max_null(city, seq) FILTER (WHERE has_city),
       arg_max_null(service_level, seq) FILTER (WHERE has_service_level),
       arg_max_null(potential, seq) FILTER (WHERE has_potential),
       arg_max_null(note, seq) FILTER (WHERE has_note),
       arg_max_null(dataset_id, seq),
       max(updated_at),
       arg_max_null(updated_by, seq)
FROM client_layers
GROUP BY client_key;
