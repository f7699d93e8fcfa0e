-- Set a client's follow-up status; owner and next step keep their stored values when not given.
-- A new follow-up without an owner takes the client's owner.
INSERT INTO followups (client_key, status, owner, next_step, updated_at)
SELECT $client_key, $status, coalesce($owner, d.owner), $next_step, now()::TIMESTAMP
FROM (SELECT $client_key AS client_key) k
LEFT JOIN client_dim d USING (client_key)
ON CONFLICT (client_key) DO UPDATE SET
    status = excluded.status,
    owner = coalesce($owner, followups.owner),
    next_step = coalesce($next_step, followups.next_step),
    updated_at = excluded.updated_at
