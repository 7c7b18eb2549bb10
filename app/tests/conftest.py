"""Fixtures shared by every test: a clean storage per test, the apps' test
clients and a small known dataset.

The storage engine is chosen the way the application chooses it, from
``HBNB_TYPE_STORAGE`` at import time, so the suite runs once per engine
(``make test-app`` does both).  With ``db`` the tests use the real MariaDB
named by ``HBNB_MYSQL_*`` (``scripts/test-mariadb.sh`` provides one) and
``HBNB_ENV=test`` drops the tables first, as in the original project.
"""
import importlib
import os
import tempfile
import types

import pytest

ENGINE = os.environ.setdefault("HBNB_TYPE_STORAGE", "fs")
if ENGINE == "db":
    missing = [name for name in ("HBNB_MYSQL_USER", "HBNB_MYSQL_PWD",
                                 "HBNB_MYSQL_DB")
               if not os.getenv(name)]
    if missing:
        raise pytest.UsageError(
            "HBNB_TYPE_STORAGE=db needs {} (see scripts/test-mariadb.sh)"
            .format(", ".join(missing)))
    os.environ["HBNB_ENV"] = "test"
else:
    _tmp = tempfile.mkdtemp(prefix="hbnb-fs-")
    os.environ["HBNB_FILE_STORAGE_PATH"] = os.path.join(_tmp, "file.json")

# Engine-specific suites run in the session of their engine only.
if ENGINE == "db":
    collect_ignore = ["test_file_storage.py"]
else:
    collect_ignore = ["test_db_storage.py", "test_api_cache.py"]

import models  # noqa: E402  (after the environment is set)
from models.amenity import Amenity  # noqa: E402
from models.city import City  # noqa: E402
from models.place import Place  # noqa: E402
from models.review import Review  # noqa: E402
from models.state import State  # noqa: E402
from models.user import User  # noqa: E402


def empty_storage():
    """Remove every object, whatever the engine."""
    storage = models.storage
    if models.storage_t == "db":
        from models.base_model import Base
        session = storage.session()
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        session.commit()
        storage.close()
    else:
        path = os.environ["HBNB_FILE_STORAGE_PATH"]
        if os.path.exists(path):
            os.unlink(path)
        storage.reload()


@pytest.fixture(autouse=True)
def clean_storage():
    """Every test starts with empty storage and ends with a closed one."""
    empty_storage()
    yield models.storage
    models.storage.close()


@pytest.fixture
def storage():
    """The application's storage engine, ``models.storage``."""
    return models.storage


def load_app(module_name):
    """The ``app`` of a module such as ``web_flask.0-hello_route``."""
    return importlib.import_module(module_name).app


@pytest.fixture
def api():
    """A test client of the REST API."""
    return load_app("api.v1.app").test_client()


@pytest.fixture
def client_of():
    """Test client factory for any page module.

    ``client_of("web_dynamic.2-hbnb")`` is the client of that module's app.
    """
    return lambda module_name: load_app(module_name).test_client()


# Hashed once: a KDF is slow on purpose, and every test builds the sample.
# A value already in werkzeug's hash format is stored as is (models/user.py).
SAMPLE_PASSWORD_HASHES = {}


def password_hash(password):
    """The hash of ``password``, computed once per test session."""
    if password not in SAMPLE_PASSWORD_HASHES:
        from werkzeug.security import generate_password_hash
        SAMPLE_PASSWORD_HASHES[password] = generate_password_hash(password)
    return SAMPLE_PASSWORD_HASHES[password]


def save(obj):
    """Save ``obj`` and return it, to build the sample in one expression."""
    obj.save()
    return obj


@pytest.fixture
def sample():
    """A small, known dataset: 3 states (one without cities), 4 cities,
    2 users, 3 amenities, 3 places with amenities, 2 reviews."""
    data = types.SimpleNamespace()
    data.california = save(State(name="California"))
    data.arizona = save(State(name="Arizona"))
    data.nevada = save(State(name="Nevada"))
    data.san_francisco = save(City(name="San Francisco",
                                   state_id=data.california.id))
    data.los_angeles = save(City(name="Los Angeles",
                                 state_id=data.california.id))
    data.phoenix = save(City(name="Phoenix", state_id=data.arizona.id))
    data.tucson = save(City(name="Tucson", state_id=data.arizona.id))
    data.alice = save(User(email="alice@example.com",
                           password=password_hash("alice-secret"),
                           first_name="Alice", last_name="Liddell"))
    data.bob = save(User(email="bob@example.com",
                         password=password_hash("bob-secret"),
                         first_name="Bob", last_name="Builder"))
    data.wifi = save(Amenity(name="Wifi"))
    data.pool = save(Amenity(name="Pool"))
    data.kitchen = save(Amenity(name="Kitchen"))
    data.loft = save(Place(name="Loft", city_id=data.san_francisco.id,
                           user_id=data.alice.id,
                           description="Sunny<BR />loft",
                           number_rooms=2, number_bathrooms=1, max_guest=4,
                           price_by_night=120, latitude=37.77,
                           longitude=-122.41))
    data.villa = save(Place(name="Villa", city_id=data.los_angeles.id,
                            user_id=data.bob.id, number_rooms=5,
                            number_bathrooms=3, max_guest=10,
                            price_by_night=400))
    data.cabin = save(Place(name="Cabin", city_id=data.phoenix.id,
                            user_id=data.alice.id, number_rooms=1,
                            number_bathrooms=1, max_guest=2,
                            price_by_night=60))
    link(data.loft, data.wifi, data.kitchen)
    link(data.villa, data.wifi, data.pool)
    link(data.cabin, data.kitchen)
    data.review_loft = save(Review(text="Lovely view", place_id=data.loft.id,
                                   user_id=data.bob.id))
    data.review_cabin = save(Review(text="Quiet", place_id=data.cabin.id,
                                    user_id=data.bob.id))
    models.storage.close()
    return data


def link(place, *amenities):
    """Attach amenities to a place in whichever way the engine stores links."""
    for amenity in amenities:
        if models.storage_t == "db":
            place.amenities.append(amenity)
        else:
            place.amenities = amenity
    place.save()
