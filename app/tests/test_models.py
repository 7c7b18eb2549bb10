"""The models' public interface, as code for the original project uses it."""
import json
from datetime import datetime

import pytest
from werkzeug.security import check_password_hash

import models
from models.amenity import Amenity
from models.base_model import BaseModel
from models.city import City
from models.place import Place
from models.review import Review
from models.state import State
from models.user import User


def test_storage_type_follows_environment():
    """HBNB_TYPE_STORAGE picks the engine models.storage is."""
    expected = "DBStorage" if models.storage_t == "db" else "FileStorage"
    assert type(models.storage).__name__ == expected


def test_new_object_has_uuid_and_timestamps():
    """A new object has a uuid4 id and equal timestamps."""
    state = State(name="Texas")
    assert len(state.id) == 36 and state.id.count("-") == 4
    assert isinstance(state.created_at, datetime)
    assert state.updated_at == state.created_at
    assert State(name="Texas").id != state.id


def test_kwargs_rebuild_an_object_from_its_dict():
    """Model(**obj.to_dict()) is the same object again."""
    original = State(name="Utah")
    copy = State(**original.to_dict())
    assert copy.id == original.id and copy.name == "Utah"
    assert copy.created_at == original.created_at
    assert isinstance(copy.created_at, datetime)


def test_dates_without_microseconds_are_accepted():
    """Dates as MySQL dumps write them are read too."""
    state = State(name="Old", created_at="2017-04-14T00:00:02",
                  updated_at="2017-04-14T00:00:02")
    assert state.created_at == datetime(2017, 4, 14, 0, 0, 2)


def test_to_dict_format():
    """to_dict(): __class__, ISO dates, JSON-ready, no SQLAlchemy state."""
    state = State(name="Ohio")
    data = state.to_dict()
    assert data["__class__"] == "State"
    assert data["name"] == "Ohio"
    datetime.strptime(data["created_at"], "%Y-%m-%dT%H:%M:%S.%f")
    assert "_sa_instance_state" not in data
    json.dumps(data)


def test_str():
    """str(): "[<Class>] (<id>) {...}" as in the original project."""
    state = State(name="Iowa")
    assert str(state).startswith("[State] ({}) {{".format(state.id))


def test_save_stamps_updated_at_and_stores(storage):
    """save() moves updated_at on, and only it, and stores the object."""
    # Years back: a stamp beats it whatever the clock's resolution, and a
    # save() that stamps nothing leaves it as it was, which ">" sees.
    earlier = datetime(2017, 4, 14, 0, 0, 2)
    state = State(name="Maine", created_at=earlier, updated_at=earlier)
    state.save()
    assert state.updated_at > earlier
    assert state.created_at == earlier
    storage.close()
    stored = storage.get(State, state.id)
    assert stored.name == "Maine"
    assert stored.updated_at == state.updated_at
    assert stored.created_at == earlier
    # Saving again what storage gave back moves it on again.
    before = stored.updated_at
    stored.save()
    assert stored.updated_at > before
    storage.close()
    assert storage.get(State, state.id).updated_at == stored.updated_at


def test_delete_removes(storage):
    """obj.delete() then save() removes it from storage."""
    state = State(name="Idaho")
    state.save()
    storage.get(State, state.id).delete()
    storage.save()
    storage.close()
    assert storage.get(State, state.id) is None


def test_password_is_stored_as_salted_hash(storage):
    """Passwords are stored as salted, slow hashes."""
    user = User(email="x@example.com", password="correct horse")
    user.save()
    storage.close()
    stored = storage.get(User, user.id).password
    assert stored != "correct horse"
    assert not stored.startswith("md5")
    assert check_password_hash(stored, "correct horse")
    other = User(email="y@example.com", password="correct horse")
    assert other.password != stored


def test_password_never_in_to_dict_but_kept_for_file_storage():
    """to_dict() drops the password except for FileStorage's file."""
    user = User(email="x@example.com", password="pw")
    assert "password" not in user.to_dict()
    assert check_password_hash(user.to_dict(save_fs=1)["password"], "pw")


def test_relations(sample, storage):
    """cities, places, user, amenities and reviews on both engines."""
    california = storage.get(State, sample.california.id)
    assert ({city.name for city in california.cities}
            == {"San Francisco", "Los Angeles"})
    loft = storage.get(Place, sample.loft.id)
    assert loft.user.first_name == "Alice"
    assert {a.name for a in loft.amenities} == {"Wifi", "Kitchen"}
    assert [review.text for review in loft.reviews] == ["Lovely view"]
    phoenix = storage.get(City, sample.phoenix.id)
    assert [place.name for place in phoenix.places] == ["Cabin"]


def test_count_and_get(sample, storage):
    """count(), get() and all(cls) by class or class name."""
    assert storage.count() == 3 + 4 + 2 + 3 + 3 + 2
    assert storage.count(State) == 3 and storage.count("City") == 4
    assert storage.get("Amenity", sample.pool.id).name == "Pool"
    assert storage.get(Amenity, "nope") is None
    assert storage.get("Nope", sample.pool.id) is None
    assert set(storage.all(Review)) == {"Review." + sample.review_loft.id,
                                        "Review." + sample.review_cabin.id}


@pytest.mark.parametrize("cls", [User, State, City, Amenity, Place, Review])
def test_every_model_is_a_base_model(cls):
    """Every model is a BaseModel that storage can look up by name."""
    from models.classes import CLASSES
    assert issubclass(cls, BaseModel)
    assert CLASSES[cls.__name__] is cls
