-- Remove one import and everything it brought; edits made in the app stay.
DELETE FROM transactions WHERE dataset_id = $id;
DELETE FROM rejects WHERE dataset_id = $id;
DELETE FROM contacts WHERE dataset_id = $id AND source = 'import';
DELETE FROM targets WHERE dataset_id = $id;
DELETE FROM clients WHERE dataset_id = $id;
DELETE FROM datasets WHERE dataset_id = $id;
