-- One client's contact log, newest first.
SELECT contact_id, contact_date, kind, who, note, source, created_at
FROM contacts
WHERE client_key = $key
ORDER BY contact_date DESC, contact_id DESC
