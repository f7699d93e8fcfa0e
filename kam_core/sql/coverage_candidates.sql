-- The clients that can have a given service level as of $as_of, with their last contact on or
-- before $as_of: those the archive gives a level (or none) and those the caller registers as
-- tier_candidates (client_key: the current tier gives the level). The level rule itself is applied
-- in coverage.py, as for coverage_clients.
WITH candidates AS (
    SELECT client_key FROM client_dim WHERE service_level IS NOT NULL
    UNION
    SELECT client_key FROM tier_candidates
),
last_contact AS (
    SELECT client_key, max(contact_date) AS last_contact, count(*) AS contacts
    FROM contacts
    WHERE contact_date <= $as_of AND client_key IN (SELECT client_key FROM candidates)
    GROUP BY client_key
)
SELECT d.client_key, d.client_name, d.owner, d.service_level AS archive_level,
       l.last_contact, coalesce(l.contacts, 0) AS contacts
FROM client_dim d
SEMI JOIN candidates c USING (client_key)
LEFT JOIN last_contact l USING (client_key)
ORDER BY d.client_key
