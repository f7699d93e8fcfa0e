-- Every follow-up note with its client's name, for the export.
SELECT n.client_key, coalesce(d.client_name, n.client_key) AS client_name, n.note_date, n.kind, n.author, n.text,
       n.created_at
FROM followup_notes n
LEFT JOIN client_dim d USING (client_key)
ORDER BY n.note_date DESC, n.note_id DESC
