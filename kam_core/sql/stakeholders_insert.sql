INSERT INTO stakeholders (stakeholder_id, client_key, name, title, decision_role, attitude, note, updated_at)
VALUES (nextval('stakeholder_seq'), $unit, $name, $title, $role, $attitude, $note, now()::TIMESTAMP)
RETURNING stakeholder_id
