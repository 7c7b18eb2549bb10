"""Deployment commands, run from app/ with the settings of an environment file.

    python3 manage.py --env-file /etc/airbnb/app.env create-schema
    python3 manage.py --env-file /etc/airbnb/app.env load-sample-data

The settings are read from the file (never from the command line, where
other users could see the password) before the models are imported, because
the models pick their storage engine at import time.
"""
import argparse
import os
import sys


def read_env_file(path):
    """KEY=value lines (values verbatim, # comments) into os.environ."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                os.environ[key.strip()] = value


def create_schema():
    """Create the missing tables, naming them for the deployment's report."""
    from sqlalchemy import inspect

    import models
    if models.storage_t != "db":
        print("schema: nothing to do for file storage")
        return 0
    from models.base_model import Base
    engine = models.storage._DBStorage__engine
    before = set(inspect(engine).get_table_names())
    Base.metadata.create_all(engine)
    # The deployment runs this after loading any SQL seed, which bypasses
    # the sessions: the API's cached answers must not outlive it.
    models.storage.invalidate()
    created = sorted(set(Base.metadata.tables) - before)
    if created:
        print("schema: created {}".format(", ".join(created)))
    else:
        print("schema: up to date")
    return 0


def load_sample_data():
    """Load the sample dataset (creates only what is missing)."""
    from models import sample_data
    return sample_data.main()


COMMANDS = {"create-schema": create_schema,
            "load-sample-data": load_sample_data}


def main(argv=None):
    """Parse the command line, read the settings, run one command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", help="KEY=value settings file (HBNB_*)")
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args(argv)
    if args.env_file:
        read_env_file(args.env_file)
    if os.environ.get("HBNB_ENV") == "test":
        # HBNB_ENV=test drops every table: only the test suite may set it.
        parser.error("refusing to run with HBNB_ENV=test")
    return COMMANDS[args.command]()


if __name__ == "__main__":
    sys.exit(main())
