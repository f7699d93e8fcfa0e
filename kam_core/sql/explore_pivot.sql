-- A pivot of the order lines in [$start, $end]: $rows and $cols name a dimension (region, city, owner,
-- category, chain_scope, channel, client, group, month, quarter, year; $cols may be 'none'), each filter
-- list keeps the lines whose dimension value is in it ('' stands for a blank value; an empty list keeps
-- all). Place and owner: the line's own region and city where it names them, else the client's; owner and
-- chain scope are the client's (the archive wins, DESIGN.md). Grouping sets give the row, column and
-- grand totals, so distinct client counts stay exact in every total.
WITH base AS (
    SELECT t.order_date, t.amount, t.profit, t.client_key,
           coalesce(t.region, d.region) AS region,
           coalesce(t.city, d.city) AS city,
           d.owner AS owner,
           t.category AS category,
           d.chain_scope AS chain_scope,
           t.channel AS channel,
           d.client_name AS client,
           d.group_label AS grp
    FROM transactions t
    JOIN client_dim d USING (client_key)
    WHERE t.order_date BETWEEN $start AND $end
),
kept AS (
    SELECT * FROM base
    WHERE (len(CAST($f_region AS VARCHAR[])) = 0 OR list_contains(CAST($f_region AS VARCHAR[]), coalesce(region, '')))
      AND (len(CAST($f_city AS VARCHAR[])) = 0 OR list_contains(CAST($f_city AS VARCHAR[]), coalesce(city, '')))
      AND (len(CAST($f_owner AS VARCHAR[])) = 0 OR list_contains(CAST($f_owner AS VARCHAR[]), coalesce(owner, '')))
      AND (len(CAST($f_category AS VARCHAR[])) = 0
           OR list_contains(CAST($f_category AS VARCHAR[]), coalesce(category, '')))
      AND (len(CAST($f_chain_scope AS VARCHAR[])) = 0
           OR list_contains(CAST($f_chain_scope AS VARCHAR[]), coalesce(chain_scope, '')))
      AND (len(CAST($f_channel AS VARCHAR[])) = 0
           OR list_contains(CAST($f_channel AS VARCHAR[]), coalesce(channel, '')))
),
labelled AS (
    SELECT amount, profit, client_key,
           CASE $rows WHEN 'region' THEN region WHEN 'city' THEN city WHEN 'owner' THEN owner
                      WHEN 'category' THEN category WHEN 'chain_scope' THEN chain_scope WHEN 'channel' THEN channel
                      WHEN 'client' THEN client WHEN 'group' THEN grp
                      WHEN 'month' THEN strftime(order_date, '%Y-%m')
                      WHEN 'quarter' THEN CAST(year(order_date) AS VARCHAR) || 'Q' || CAST(quarter(order_date) AS VARCHAR)
                      WHEN 'year' THEN CAST(year(order_date) AS VARCHAR) END AS row_value,
           CASE $cols WHEN 'region' THEN region WHEN 'city' THEN city WHEN 'owner' THEN owner
                      WHEN 'category' THEN category WHEN 'chain_scope' THEN chain_scope WHEN 'channel' THEN channel
                      WHEN 'client' THEN client WHEN 'group' THEN grp
                      WHEN 'month' THEN strftime(order_date, '%Y-%m')
                      WHEN 'quarter' THEN CAST(year(order_date) AS VARCHAR) || 'Q' || CAST(quarter(order_date) AS VARCHAR)
                      WHEN 'year' THEN CAST(year(order_date) AS VARCHAR)
                      ELSE '' END AS col_value
    FROM kept
)
SELECT row_value, col_value,
       grouping(row_value) = 1 AS all_rows,
       grouping(col_value) = 1 AS all_cols,
       sum(amount) AS revenue,
       sum(profit) AS profit,
       count(DISTINCT client_key) AS clients,
       count(*) AS lines
FROM labelled
GROUP BY GROUPING SETS ((row_value, col_value), (row_value), (col_value), ())
