SELECT dataset_id, kind, file_name, sheet, imported_at, rows_read, rows_loaded, rows_rejected, rows_skipped,
       rows_replaced, date_min, date_max, data_through, is_demo, header_row, mapping, replace_lo, replace_hi
FROM datasets
ORDER BY dataset_id DESC
