-- Owner spellings held by clients (client_dim) and named by owner targets.
SELECT owner FROM client_dim WHERE owner IS NOT NULL
UNION
SELECT name FROM targets WHERE level = 'owner'
