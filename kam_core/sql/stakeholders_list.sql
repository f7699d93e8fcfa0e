-- The stakeholder map of one unit (client key, or group key at group level): decision role first.
SELECT stakeholder_id, name, title, decision_role, attitude, note, updated_at
FROM stakeholders
WHERE client_key = $unit
ORDER BY CASE decision_role WHEN 'decision_maker' THEN 0 WHEN 'influencer' THEN 1 WHEN 'user' THEN 2
                            WHEN 'gatekeeper' THEN 3 ELSE 4 END,
         attitude DESC NULLS LAST, name, stakeholder_id
