DELETE FROM advances WHERE advance_id = $id
