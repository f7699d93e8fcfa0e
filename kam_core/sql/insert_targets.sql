-- Re-import replaces the same (level, name, period); within one file the last row wins.
INSERT OR REPLACE INTO targets (level, name_key, name, period, target, dataset_id, updated_at)
SELECT level, name_key, name, period, CAST(target AS DECIMAL(18,4)), $id, now()::TIMESTAMP
FROM staging
WHERE keep
QUALIFY row_number() OVER (PARTITION BY level, name_key, period ORDER BY source_row DESC) = 1
