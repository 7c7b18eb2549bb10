"""The AirBnB clone's models and the storage engine they live in.

``HBNB_TYPE_STORAGE=db`` selects DBStorage (MariaDB/MySQL through SQLAlchemy);
anything else selects FileStorage (a JSON file).  The choice is made once, at
import time, because the model classes declare SQLAlchemy columns only for the
database engine — the same contract as the original project, so code written
for it keeps working (``models.storage``, ``models.storage_t``).
"""
import os

storage_t = os.getenv("HBNB_TYPE_STORAGE", "fs")

if storage_t == "db":
    from models.engine.db_storage import DBStorage

    storage = DBStorage()
else:
    from models.engine.file_storage import FileStorage

    storage = FileStorage()
storage.reload()


def close_storage(_exception=None):
    """Flask teardown shared by every app: release the DB session, or let
    FileStorage re-read its file so the next request sees other workers'
    writes.  ``storage.close`` is looked up at call time on purpose."""
    storage.close()
