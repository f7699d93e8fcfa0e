SELECT source_row, code, column_name, value FROM rejects WHERE dataset_id = $id ORDER BY source_row LIMIT 5000
