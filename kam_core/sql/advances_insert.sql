INSERT INTO advances (advance_id, client_key, client_name, amount, start_date, term_months, rule, recoup_rate,
                      scenario_id, note, created_at, created_by)
VALUES (nextval('advance_seq'), $key, $name, CAST($amount AS DECIMAL(18,4)), $start, $term_months, $rule,
        $recoup_rate, $scenario_id, $note, now()::TIMESTAMP, $who)
RETURNING advance_id
