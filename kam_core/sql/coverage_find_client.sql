-- A client by its key: the key as given, else the key of the typed name.
SELECT client_key, client_name
FROM client_dim
WHERE client_key IN ($given, $from_name)
ORDER BY client_key = $given DESC
LIMIT 1
