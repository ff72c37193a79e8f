SELECT setval(pg_get_serial_sequence('bulletins', 'id'), COALESCE((SELECT MAX(id) FROM bulletins), 0) + 1, false);
