SELECT needs, pain_points, competitors, updated_at FROM profile_notes WHERE client_key = $unit
