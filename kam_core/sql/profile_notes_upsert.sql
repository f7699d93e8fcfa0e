INSERT OR REPLACE INTO profile_notes (client_key, needs, pain_points, competitors, updated_at)
VALUES ($unit, $needs, $pain_points, $competitors, now()::TIMESTAMP)
