-- Remove one import and everything it brought; edits made in the app stay. What it replaced comes
-- back after the deletions (after_delete.sql).
DELETE FROM transactions WHERE dataset_id = $id;
DELETE FROM replaced_lines WHERE dataset_id = $id;
DELETE FROM rejects WHERE dataset_id = $id;
DELETE FROM contacts WHERE dataset_id = $id AND source = 'import';
DELETE FROM targets WHERE dataset_id = $id;
DELETE FROM replaced_targets WHERE dataset_id = $id;
DELETE FROM client_layers WHERE dataset_id = $id;
DELETE FROM datasets WHERE dataset_id = $id;
