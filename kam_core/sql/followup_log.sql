-- One client's follow-up notes, latest first.
SELECT note_id, note_date, kind, author, text, created_at
FROM followup_notes
WHERE client_key = $client_key
ORDER BY note_date DESC, note_id DESC
