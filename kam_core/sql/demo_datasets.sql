SELECT dataset_id FROM datasets WHERE is_demo ORDER BY dataset_id
