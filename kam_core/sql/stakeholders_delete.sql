DELETE FROM stakeholders WHERE client_key = $unit AND NOT list_contains(CAST($keep AS BIGINT[]), stakeholder_id)
