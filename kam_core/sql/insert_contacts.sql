INSERT INTO contacts (contact_id, client_key, client_name, contact_date, kind, who, note, source, dataset_id, created_at)
SELECT nextval('contact_seq'), client_key, client_name, contact_date, kind, who, note, 'import', $id, now()::TIMESTAMP
FROM staging
WHERE keep
