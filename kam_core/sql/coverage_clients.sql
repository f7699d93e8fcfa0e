-- Every known client with what coverage needs as of $as_of: owner, the archive's service level,
-- the last contact on or before $as_of (later contacts are ignored) and the trailing-12-month
-- revenue, dates in [$t12m_start, $as_of].
WITH last_contact AS (
    SELECT client_key, max(contact_date) AS last_contact, count(*) AS contacts
    FROM contacts
    WHERE contact_date <= $as_of
    GROUP BY client_key
),
t12m AS (
    SELECT client_key, sum(amount) AS t12m
    FROM transactions
    WHERE order_date BETWEEN $t12m_start AND $as_of
    GROUP BY client_key
)
SELECT d.client_key, d.client_name, d.owner, d.service_level AS archive_level,
       l.last_contact, coalesce(l.contacts, 0) AS contacts,
       CAST(coalesce(t.t12m, 0) AS DOUBLE) AS t12m
FROM client_dim d
LEFT JOIN last_contact l USING (client_key)
LEFT JOIN t12m t USING (client_key)
ORDER BY d.client_key
