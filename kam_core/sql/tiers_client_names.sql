-- Every known client's key and display name (resolving a typed name to its client).
SELECT client_key, client_name FROM client_dim
