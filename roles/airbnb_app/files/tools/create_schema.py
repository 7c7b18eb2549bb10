"""Create a clone's missing tables the way the curriculum does: importing
``models`` with HBNB_TYPE_STORAGE=db makes DBStorage.reload() run
Base.metadata.create_all(), which creates missing tables and drops none.

    cd <release> && python3 create_schema.py --env-file /etc/airbnb/app.env

Prints "schema: created a, b" or "schema: up to date" (the role's change test).
"""
import argparse
import os
import sys

from common import connect, load_env_file, table_names


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", required=True)
    args = parser.parse_args()
    load_env_file(args.env_file)
    if os.environ.get("HBNB_TYPE_STORAGE") != "db":
        print("schema: nothing to do for file storage")
        return 0
    connection = connect()
    before = set(table_names(connection))
    # The release is the working directory; its packages come first.
    sys.path.insert(0, os.getcwd())
    import models  # noqa: F401  (the import creates the tables)
    after = set(table_names(connection))
    connection.close()
    created = sorted(after - before)
    print("schema: created {}".format(", ".join(created)) if created else "schema: up to date")
    if not after:
        sys.exit("schema: importing models created no table: is HBNB_TYPE_STORAGE=db "
                 "read by models/__init__.py?")
    return 0


if __name__ == "__main__":
    sys.exit(main())
