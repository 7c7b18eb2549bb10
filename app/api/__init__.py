"""The REST API of AirBnB_clone_v3 (project 0x05 "RESTful API")."""
