"""The sample-data command: a realistic dataset, loaded idempotently."""
import os
import subprocess
import sys

from models import sample_data, storage
from models.place import Place
from models.state import State
from models.user import User

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def counts():
    """How many objects of each class are stored."""
    return {name: storage.count(name) for name in
            ("State", "City", "Amenity", "User", "Place", "Review")}


def dump():
    """Every stored object's dict, password hashes included."""
    return {key: obj.to_dict(save_fs=1)
            for key, obj in storage.all().items()}


def test_loads_a_dozen_of_everything():
    """A first load creates the whole dataset and says so."""
    created = sample_data.load()
    assert counts() == {"State": 12, "City": 26, "Amenity": 12, "User": 12,
                        "Place": 24, "Review": 24}
    assert created == sum(counts().values())


def test_second_run_creates_nothing_and_changes_nothing():
    """Loading again creates nothing and changes nothing."""
    sample_data.load()
    before = dump()
    assert sample_data.load() == 0
    assert dump() == before


def test_keeps_existing_data_and_fills_gaps(api):
    """A load keeps other data and recreates deleted sample objects."""
    own = State(name="Zanzibar")
    own.save()
    sample_data.load()
    victim = next(iter(storage.all(Place).values()))
    api.delete("/api/v1/places/" + victim.id)
    assert sample_data.load() > 0
    assert storage.get(State, own.id) is not None
    assert storage.get(Place, victim.id) is not None


def test_places_have_owners_amenities_and_reviews():
    """Every place is complete; every password is a hash."""
    sample_data.load()
    for place in storage.all(Place).values():
        assert place.user is not None
        assert place.amenities
        assert place.reviews
    assert all(user.password and "$" in user.password
               for user in storage.all(User).values())


def test_command_line_and_flask_cli():
    """Both commands load the dataset and print the counts."""
    for command in ([sys.executable, "-m", "models.sample_data"],
                    [sys.executable, "-m", "flask", "--app", "api.v1.app",
                     "load-sample-data"]):
        env = dict(os.environ)
        # the command must not drop what the test made
        env.pop("HBNB_ENV", None)
        result = subprocess.run(command, cwd=APP_DIR, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert ("12 State, 26 City, 12 Amenity, 12 User, 24 Place, 24 Review"
                in result.stdout)
    storage.close()
    assert storage.count("State") == 12
