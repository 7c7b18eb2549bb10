"""DBStorage specifics, against the real MariaDB named by HBNB_MYSQL_*."""
import json
import os
import subprocess
import sys
import textwrap

import pymysql
from sqlalchemy import inspect

import models
from models.engine.db_storage import DBStorage, database_url
from models.state import State

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Nothing listens on port 9 (discard): a database that is down.
DATABASE_DOWN = {"HBNB_MYSQL_HOST": "127.0.0.1", "HBNB_MYSQL_PORT": "9"}


def raw_connection():
    """A PyMySQL connection of its own, outside SQLAlchemy."""
    url = database_url()
    return pymysql.connect(host=url.host, port=url.port, user=url.username,
                           password=url.password, database=url.database,
                           autocommit=True)


def engine():
    """The SQLAlchemy engine of the application's DBStorage."""
    return models.storage._DBStorage__engine


def test_original_private_attributes_exist():
    """DBStorage keeps the original's __engine, on MariaDB via PyMySQL."""
    assert models.storage_t == "db"
    assert isinstance(models.storage, DBStorage)
    assert engine().dialect.name in ("mysql", "mariadb")
    assert engine().dialect.driver == "pymysql"


def test_schema_matches_the_spec():
    """Tables, columns and keys are those of the original schema."""
    inspector = inspect(engine())
    assert set(inspector.get_table_names()) >= {
        "states", "cities", "users", "places", "reviews", "amenities",
        "place_amenity"}
    columns = {c["name"]: c for c in inspector.get_columns("places")}
    assert {"city_id", "user_id", "name", "description", "number_rooms",
            "number_bathrooms", "max_guest", "price_by_night", "latitude",
            "longitude", "id", "created_at", "updated_at"} <= set(columns)
    assert columns["name"]["nullable"] is False
    assert columns["description"]["nullable"] is True
    assert columns["id"]["type"].length == 60
    link_key = inspector.get_pk_constraint("place_amenity")
    assert set(link_key["constrained_columns"]) == {"place_id", "amenity_id"}
    foreign = {fk["referred_table"]
               for fk in inspector.get_foreign_keys("places")}
    assert foreign == {"cities", "users"}


def test_rows_are_really_in_mariadb(storage):
    """A saved object is a row another connection can read."""
    state = State(name="Wyoming")
    state.save()
    with raw_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT name FROM states WHERE id = %s", (state.id,))
        assert cursor.fetchone() == ("Wyoming",)


def test_timestamps_keep_microseconds(storage):
    """A timestamp read back equals the one written."""
    state = State(name="Precise")
    state.save()
    storage.close()
    assert storage.get(State, state.id).created_at == state.created_at


def test_link_rows_follow_the_place(api, sample):
    """Deleting a place deletes its place_amenity rows."""
    api.delete("/api/v1/places/" + sample.loft.id)
    with raw_connection() as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM place_amenity WHERE place_id = %s",
            (sample.loft.id,))
        assert cursor.fetchone() == (0,)


def test_each_request_releases_its_session(api, sample):
    """No connection stays checked out after a request."""
    api.get("/api/v1/states")
    assert engine().pool.checkedout() == 0


def test_pool_survives_connections_killed_by_the_server(api, sample):
    """What a database restart does to pooled connections: they die. The next
    request must succeed on a fresh connection (the checkout's check), not
    fail."""
    assert api.get("/api/v1/states").status_code == 200
    with raw_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        mine = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM information_schema.processlist "
                       "WHERE user = CURRENT_USER() OR user = %s",
                       (database_url().username,))
        victims = [row[0] for row in cursor.fetchall() if row[0] != mine]
        assert victims, "the app should hold a pooled connection"
        for thread_id in victims:
            cursor.execute("KILL CONNECTION %s" % int(thread_id))
    response = api.get("/api/v1/states")
    assert response.status_code == 200
    assert len(response.get_json()) == 3


def run_app_with(env_changes, code):
    """Run ``code`` in a fresh process; returns its last line, JSON-decoded."""
    env = dict(os.environ, **env_changes)
    env.pop("HBNB_ENV", None)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                            cwd=APP_DIR, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_unreachable_database_gives_503_json_and_status_still_ok():
    """A closed port stands for a database that is down: the app must start,
    answer 503 with a JSON error on data routes and 200 on /status."""
    out = run_app_with(DATABASE_DOWN, """
        import json
        from api.v1.app import app
        c = app.test_client()
        r1, r2 = c.get('/api/v1/states'), c.get('/api/v1/status')
        print(json.dumps([r1.status_code, r1.get_json(), r2.status_code,
                          r1.headers.get('Retry-After')]))
    """)
    assert out == [503, {"error": "Service unavailable"}, 200, "5"]


def test_unreachable_database_gives_pages_a_clean_503():
    """The pages fail cleanly too: a short 503 page with Retry-After, no
    stack trace, and the pages without data still answer."""
    out = run_app_with(DATABASE_DOWN, """
        import importlib, json
        out = []
        for module, path in [('web_dynamic.2-hbnb', '/'),
                             ('web_flask.8-cities_by_states',
                              '/cities_by_states'),
                             ('web_flask.0-hello_route', '/')]:
            r = importlib.import_module(module).app.test_client().get(path)
            out.append([r.status_code, r.headers.get('Retry-After'),
                        r.get_data(as_text=True)])
        print(json.dumps(out))
    """)
    for status, retry_after, body in out[:2]:
        assert (status, retry_after) == (503, "5")
        assert "Service temporarily unavailable" in body
        assert "Traceback" not in body
    assert out[2][:2] == [200, None] and out[2][2] == "Hello HBNB!"


def test_hbnb_env_test_drops_tables(storage):
    """HBNB_ENV=test drops every table, as in the original project."""
    State(name="Doomed").save()
    storage.close()
    try:
        out = run_app_with({"HBNB_ENV": "test"}, """
            import json, os
            os.environ['HBNB_ENV'] = 'test'
            from models import storage
            print(json.dumps(storage.count()))
        """)
    finally:
        storage.reload()  # the other process dropped the tables under us
    assert out == 0


def test_without_hbnb_env_data_is_kept(storage):
    """Without HBNB_ENV=test, a new process keeps the data."""
    State(name="Kept").save()
    storage.close()
    out = run_app_with({}, """
        import json
        from models import storage
        print(json.dumps(storage.count('State')))
    """)
    assert out == 1


def test_password_is_not_in_the_engine_repr():
    """The database password never shows in the engine's repr."""
    password = os.environ["HBNB_MYSQL_PWD"]
    assert password not in repr(engine())
    assert password not in str(engine().url)


def test_a_forked_child_does_not_share_the_parents_connection():
    """After a fork (Gunicorn's preload_app) the child opens its own.

    Both would otherwise read and write on one socket: the parent's
    connection, pooled when the application was imported.
    """
    def connection_id():
        """The server's id of the connection the pool lends."""
        with engine().connect() as connection:
            return connection.exec_driver_sql(
                "SELECT CONNECTION_ID()").scalar()

    parent = connection_id()
    assert connection_id() == parent  # the pool keeps it
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(reader)
            os.write(writer, str(connection_id()).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    assert child.isdigit(), child
    assert int(child) != parent
    assert connection_id() == parent  # the parent's is still usable
