"""From an uploaded file to canonical rows: guard -> read (child process) -> header & roles -> clean."""
