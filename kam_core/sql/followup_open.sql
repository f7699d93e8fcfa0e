-- A client gets a follow-up (status open, its owner) the first time someone writes a note on it.
INSERT INTO followups (client_key, status, owner, next_step, updated_at)
SELECT client_key, 'open', owner, NULL, now()::TIMESTAMP
FROM client_dim
WHERE client_key = $client_key
ON CONFLICT (client_key) DO NOTHING
