-- Every follow-up with its latest note: the log shown beside the watchlist and exported.
WITH notes AS (
    SELECT client_key, count(*) AS notes,
           max(note_date) AS last_note_date,
           arg_max(text, {d: note_date, id: note_id}) AS last_note
    FROM followup_notes
    GROUP BY client_key
)
SELECT f.client_key, coalesce(d.client_name, f.client_key) AS client_name, f.status, f.owner, f.next_step,
       f.updated_at, coalesce(n.notes, 0) AS notes, n.last_note_date, n.last_note
FROM followups f
LEFT JOIN client_dim d USING (client_key)
LEFT JOIN notes n USING (client_key)
ORDER BY f.updated_at DESC, f.client_key
