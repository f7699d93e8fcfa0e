INSERT INTO followup_notes (note_id, client_key, note_date, author, text, created_at, kind, contact_id)
VALUES (nextval('followup_note_seq'), $client_key, $note_date, $author, $text, now()::TIMESTAMP, $kind, $contact_id)
RETURNING note_id
