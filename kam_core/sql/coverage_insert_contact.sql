INSERT INTO contacts (contact_id, client_key, client_name, contact_date, kind, who, note, source, dataset_id, created_at)
VALUES (nextval('contact_seq'), $key, $name, $date, $kind, $who, $note, $source, NULL, now()::TIMESTAMP)
RETURNING contact_id
