-- Re-import replaces the same (level, name, period), and the replaced row is kept aside (deleting
-- this import brings it back); within one file the last row wins.
INSERT INTO replaced_targets
SELECT t.* FROM targets t
WHERE EXISTS (SELECT 1 FROM staging s WHERE s.keep AND s.level = t.level AND s.name_key = t.name_key
                                         AND s.period = t.period);
INSERT OR REPLACE INTO targets (level, name_key, name, period, target, dataset_id, updated_at)
SELECT level, name_key, name, period, CAST(target AS DECIMAL(18,4)), $id, now()::TIMESTAMP
FROM staging
WHERE keep
QUALIFY row_number() OVER (PARTITION BY level, name_key, period ORDER BY source_row DESC) = 1
