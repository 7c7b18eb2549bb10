"""The storage engines: FileStorage (a JSON file) and DBStorage (MySQL)."""
