-- The columns of the tables the SQL box exposes (as views of the same name), in the box's order.
SELECT table_name AS "table", column_name AS "column", data_type AS "type"
FROM duckdb_columns()
WHERE database_name = current_database()
  AND schema_name = 'main'
  AND list_contains($tables, table_name)
ORDER BY list_position($tables, table_name), column_index
