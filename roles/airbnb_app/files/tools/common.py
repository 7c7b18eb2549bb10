"""What the airbnb_app role's tools share: the settings of the environment
file, and a DB-API connection made with whichever MySQL driver the release's
virtualenv has (mysqlclient for the curriculum's clones, PyMySQL for ours)."""
import os
import sys


def load_env_file(path):
    """KEY=value lines (values verbatim, # comments) into os.environ, as
    Gunicorn's settings read them.  HBNB_ENV=test would drop every table."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                os.environ[key.strip()] = value
    if os.environ.get("HBNB_ENV") == "test":
        sys.exit("refusing to run with HBNB_ENV=test (it drops every table)")


def database_settings():
    """(host, port, user, password, database) from the HBNB_MYSQL_* settings."""
    host = os.environ.get("HBNB_MYSQL_HOST", "127.0.0.1")
    port = int(os.environ.get("HBNB_MYSQL_PORT", "3306"))
    if ":" in host:  # "host:port", the clones' way of giving a port
        host, port = host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1])
    return (host, port, os.environ["HBNB_MYSQL_USER"], os.environ["HBNB_MYSQL_PWD"],
            os.environ["HBNB_MYSQL_DB"])


def connect():
    """A connection to the application's database as the application's user."""
    host, port, user, password, database = database_settings()
    try:
        import MySQLdb as driver
        return driver.connect(host=host, port=port, user=user, passwd=password, db=database,
                              charset="utf8mb4")
    except ImportError:
        import pymysql as driver
        return driver.connect(host=host, port=port, user=user, password=password,
                              database=database, charset="utf8mb4")


def table_names(connection):
    """The tables of the connection's database."""
    cursor = connection.cursor()
    cursor.execute("SHOW TABLES")
    names = sorted(row[0] for row in cursor.fetchall())
    cursor.close()
    return names
