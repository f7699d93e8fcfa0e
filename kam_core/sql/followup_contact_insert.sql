-- A follow-up note is also a contact with the client (the coverage page counts it).
INSERT INTO contacts (contact_id, client_key, client_name, contact_date, kind, who, note, source, dataset_id, created_at)
SELECT nextval('contact_seq'), client_key, client_name, $note_date, $kind, $author, $text, 'followup', NULL,
       now()::TIMESTAMP
FROM client_dim
WHERE client_key = $client_key
RETURNING contact_id
