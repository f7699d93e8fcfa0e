UPDATE stakeholders
SET name = $name, title = $title, decision_role = $role, attitude = $attitude, note = $note, updated_at = now()::TIMESTAMP
WHERE stakeholder_id = $id AND client_key = $unit
  AND (name IS DISTINCT FROM $name OR title IS DISTINCT FROM $title OR decision_role IS DISTINCT FROM $role
       OR attitude IS DISTINCT FROM $attitude OR note IS DISTINCT FROM $note)
