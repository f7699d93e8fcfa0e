SELECT advance_id, client_key, client_name, amount, start_date, term_months, rule, recoup_rate, scenario_id, note,
       created_at, created_by
FROM advances
WHERE advance_id = $id
