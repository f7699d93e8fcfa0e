-- One row per client known from order lines or the archive. The archive wins where they disagree;
-- otherwise the latest line that names the field. Display name: the most frequent spelling,
-- ties to the latest line's. "Latest" orders lines by date, then dataset, then source row,
-- packed into one BIGINT (days << 40 | dataset << 24 | row) because that sorts far faster than a struct.
WITH keyed AS (
    SELECT *, (CAST(date_diff('day', DATE '1970-01-01', order_date) AS BIGINT) << 40)
              | (CAST(dataset_id AS BIGINT) << 24) | least(source_row, 16777215) AS k
    FROM transactions
),
spellings AS (
    SELECT client_key, client_name, count(*) AS lines,
           max(k) AS latest
    FROM keyed
    GROUP BY client_key, client_name
),
names AS (
    SELECT client_key, arg_max(client_name, {n: lines, latest: latest}) AS client_name
    FROM spellings
    GROUP BY client_key
),
facts AS (
    SELECT client_key,
           min(order_date) AS first_order,
           max(order_date) AS last_order,
           count(*) AS lines,
           arg_max(owner, k) FILTER (WHERE owner IS NOT NULL) AS owner,
           arg_max(region, k) FILTER (WHERE region IS NOT NULL) AS region,
           arg_max(city, k) FILTER (WHERE city IS NOT NULL) AS city,
           arg_max(chain_scope, k) FILTER (WHERE chain_scope IS NOT NULL) AS chain_scope,
           arg_max(store_count, k) FILTER (WHERE store_count IS NOT NULL) AS store_count,
           arg_max(group_name, k) FILTER (WHERE group_name IS NOT NULL) AS group_name
    FROM keyed
    GROUP BY client_key
),
lines AS (
    SELECT f.*, n.client_name FROM facts f JOIN names n USING (client_key)
),
merged AS (
    SELECT coalesce(l.client_key, a.client_key) AS client_key,
           coalesce(l.client_name, a.client_name) AS client_name,
           coalesce(a.owner, l.owner) AS owner,
           coalesce(a.region, l.region) AS region,
           coalesce(a.city, l.city) AS city,
           coalesce(a.chain_scope, l.chain_scope) AS chain_scope,
           coalesce(a.store_count, l.store_count) AS store_count,
           coalesce(a.group_name, l.group_name) AS group_name,
           a.service_level AS service_level,
           a.potential AS potential,
           l.first_order AS first_order,
           l.last_order AS last_order,
           coalesce(l.lines, 0) AS lines,
           a.client_key IS NOT NULL AS in_archive
    FROM lines l
    FULL OUTER JOIN clients a ON a.client_key = l.client_key
)
SELECT m.client_key, m.client_name, m.owner, m.region, m.city, m.chain_scope, m.store_count,
       m.group_name, m.service_level, m.potential, m.first_order, m.last_order, m.lines, m.in_archive,
       coalesce(g.group_key, m.client_key) AS group_key,
       coalesce(m.group_name, m.client_name) AS group_label
FROM merged m
LEFT JOIN group_keys g ON g.group_name = m.group_name
