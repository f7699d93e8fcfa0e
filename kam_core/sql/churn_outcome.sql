-- What followed a past as-of date: each unit's revenue in the $horizon days before ($before_after, $as_of]
-- and after ($as_of, $after_until]. Churned: revenue fell by $drop or more (after <= (1 - drop) x before,
-- exact DECIMAL), among units with revenue before.
WITH lines AS (
    SELECT CASE WHEN $level = 'group' THEN d.group_key ELSE t.client_key END AS unit_key,
           t.order_date, t.amount
    FROM transactions t
    JOIN client_dim d USING (client_key)
    WHERE t.order_date > $before_after AND t.order_date <= $after_until
),
units AS (
    SELECT unit_key,
           coalesce(sum(amount) FILTER (WHERE order_date <= $as_of), 0) AS before,
           coalesce(sum(amount) FILTER (WHERE order_date > $as_of), 0) AS after
    FROM lines
    GROUP BY unit_key
)
SELECT unit_key, before, after,
       after <= (1 - CAST($drop AS DECIMAL(9,4))) * before AS churned
FROM units
WHERE before > 0
ORDER BY unit_key
