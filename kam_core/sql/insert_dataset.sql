INSERT INTO datasets (dataset_id, kind, file_name, sheet, sha256, imported_at, rows_read, rows_loaded, rows_rejected,
                      rows_skipped, skipped_blank, skipped_header, skipped_totals, header_row, mapping, warnings,
                      date_min, date_max, data_through, is_demo, replace_lo, replace_hi)
VALUES ($id, $kind, $file, $sheet, $sha, now()::TIMESTAMP, $read, $loaded, $rejected, $skipped, $blank, $header,
        $totals, $header_row, $mapping, $warnings, $dmin, $dmax, $through, $demo, $rlo, $rhi)
