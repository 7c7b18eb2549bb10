"""The API's response cache (database storage): answers are kept per worker,
and a write acknowledged by any worker is seen by the next read of every
other one.  Two applications stand for two workers: each has its own cache,
both use the real MariaDB."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

import models
from api.v1.app import create_app
from models.state import State

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker():
    """A test client of a new API application, with an empty cache."""
    app = create_app()
    client = app.test_client()
    client.cache = app.extensions["hbnb_response_cache"]
    return client


@pytest.fixture
def reader():
    """One worker: reads, and caches."""
    return worker()


@pytest.fixture
def writer():
    """Another worker: writes."""
    return worker()


def names(response):
    """The sorted names of a 200 listing."""
    assert response.status_code == 200
    return sorted(item["name"] for item in response.get_json())


def test_a_repeated_read_is_served_from_the_cache(reader, sample):
    """The second identical GET is a hit, byte for byte the same."""
    first = reader.get("/api/v1/states")
    second = reader.get("/api/v1/states")
    assert (reader.cache.misses, reader.cache.hits) == (1, 1)
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Type"] == "application/json"


def test_a_cached_answer_keeps_the_cors_header(reader, sample):
    """A hit still goes through the CORS hook."""
    reader.get("/api/v1/amenities", headers={"Origin": "http://example"})
    hit = reader.get("/api/v1/amenities", headers={"Origin": "http://example"})
    assert reader.cache.hits == 1
    assert hit.headers["Access-Control-Allow-Origin"] == "*"


def test_another_workers_create_is_seen_at_once(reader, writer, sample):
    """A POST on one worker: the next listing on another has it."""
    before = names(reader.get("/api/v1/states"))
    names(reader.get("/api/v1/states"))
    assert reader.cache.hits == 1
    created = writer.post("/api/v1/states", json={"name": "Oregon"})
    assert created.status_code == 201
    assert names(reader.get("/api/v1/states")) == sorted(before + ["Oregon"])


def test_another_workers_update_is_seen_at_once(reader, writer, sample):
    """A PUT on one worker: the next GET on another shows it."""
    path = "/api/v1/states/{}".format(sample.nevada.id)
    assert reader.get(path).get_json()["name"] == "Nevada"
    assert reader.get(path).get_json()["name"] == "Nevada"
    assert reader.cache.hits == 1
    assert writer.put(path, json={"name": "Silver State"}).status_code == 200
    assert reader.get(path).get_json()["name"] == "Silver State"


def test_another_workers_delete_is_seen_with_its_cascade(
        reader, writer, sample):
    """A DELETE on one worker: the object and what it held are gone."""
    state = "/api/v1/states/{}".format(sample.arizona.id)
    cities = state + "/cities"
    city = "/api/v1/cities/{}".format(sample.phoenix.id)
    for _ in range(2):
        assert reader.get(state).status_code == 200
        assert names(reader.get(cities)) == ["Phoenix", "Tucson"]
        assert reader.get(city).status_code == 200
    assert reader.cache.hits == 3
    assert writer.delete(state).status_code == 200
    assert reader.get(state).status_code == 404
    assert reader.get(cities).status_code == 404
    assert reader.get(city).status_code == 404


def test_a_write_through_the_session_without_the_orm_is_seen(reader, sample):
    """A DELETE statement run through the session counts too."""
    assert "Nevada" in names(reader.get("/api/v1/states"))
    session = models.storage.session()
    session.execute(State.__table__.delete().where(
        State.__table__.c.id == sample.nevada.id))
    session.commit()
    models.storage.close()
    assert "Nevada" not in names(reader.get("/api/v1/states"))


def test_a_write_from_another_process_is_seen(reader, sample):
    """Another worker process (or web host), already running: its own cache,
    connection and transaction; its acknowledged write is visible to the
    next read here."""
    env = dict(os.environ)
    env.pop("HBNB_ENV", None)  # "test" would drop every table
    code = textwrap.dedent("""
        import json, sys
        from api.v1.app import app
        client = app.test_client()
        print("ready", flush=True)
        sys.stdin.readline()
        r = client.post('/api/v1/states', json={'name': 'Utah'})
        print(json.dumps(r.status_code), flush=True)
    """)
    other = subprocess.Popen([sys.executable, "-c", code], cwd=APP_DIR,
                             env=env, text=True, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "ready"
        # Cached after the other process started (and opened its storage).
        assert "Utah" not in names(reader.get("/api/v1/states"))
        assert "Utah" not in names(reader.get("/api/v1/states"))
        assert reader.cache.hits == 1
        other.stdin.write("go\n")
        other.stdin.flush()
        assert json.loads(other.stdout.readline()) == 201
    finally:
        other.stdin.close()
        assert other.wait(timeout=60) == 0
    assert "Utah" in names(reader.get("/api/v1/states"))


def test_a_refused_write_keeps_the_cached_answers(reader, writer, sample):
    """A 400 writes nothing: the kept answers stay valid."""
    before = names(reader.get("/api/v1/states"))
    response = writer.post("/api/v1/states", json={"name": "x" * 1000})
    assert response.status_code == 400
    assert names(reader.get("/api/v1/states")) == before
    assert reader.cache.hits == 1


def test_status_answers_without_the_database_and_is_not_cached(reader):
    """/status never reads the counter."""
    assert reader.get("/api/v1/status").status_code == 200
    assert reader.get("/api/v1/status").status_code == 200
    assert (reader.cache.hits, reader.cache.misses) == (0, 0)


def test_the_cache_keeps_a_bounded_number_of_answers(reader, sample):
    """The least recently used answer goes first."""
    reader.cache.max_entries = 2
    for path in ("/api/v1/states", "/api/v1/amenities", "/api/v1/users"):
        assert reader.get(path).status_code == 200
    assert list(reader.cache.entries) == ["/api/v1/amenities?",
                                          "/api/v1/users?"]


def test_without_the_counter_table_writes_stand_and_nothing_is_cached(
        reader, writer, sample):
    """A database that was away when every process started has no counter
    table: writes still succeed, and no answer is kept."""
    from models.engine.db_storage import GENERATION
    models.storage.close()
    GENERATION.drop(models.storage.session().get_bind())
    models.storage.close()
    try:
        created = writer.post("/api/v1/states", json={"name": "Oregon"})
        assert created.status_code == 201
        for _ in range(2):
            assert "Oregon" in names(reader.get("/api/v1/states"))
        assert (reader.cache.hits, len(reader.cache.entries)) == (0, 0)
    finally:
        models.storage.create_generation()
