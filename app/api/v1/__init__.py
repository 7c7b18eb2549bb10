"""Version 1 of the REST API: the Flask app and its views under /api/v1."""
