-- Contacts per owner (the client's owner) and week (weeks start on Monday) in [$start, $end].
SELECT coalesce(d.owner, '') AS owner,
       CAST(date_trunc('week', c.contact_date) AS DATE) AS week_start,
       count(*) AS contacts
FROM contacts c
LEFT JOIN client_dim d USING (client_key)
WHERE c.contact_date BETWEEN $start AND $end
GROUP BY ALL
ORDER BY owner, week_start
