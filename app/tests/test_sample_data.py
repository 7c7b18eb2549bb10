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
    return {name: storage.count(name) for name in
            ("State", "City", "Amenity", "User", "Place", "Review")}


def test_loads_a_dozen_of_everything():
    created = sample_data.load()
    assert counts() == {"State": 12, "City": 26, "Amenity": 12, "User": 12,
                        "Place": 24, "Review": 24}
    assert created == sum(counts().values())


def test_second_run_creates_nothing_and_changes_nothing():
    sample_data.load()
    before = {key: obj.to_dict(save_fs=1) for key, obj in storage.all().items()}
    assert sample_data.load() == 0
    after = {key: obj.to_dict(save_fs=1) for key, obj in storage.all().items()}
    assert after == before


def test_keeps_existing_data_and_fills_gaps(api):
    own = State(name="Zanzibar")
    own.save()
    sample_data.load()
    victim = next(iter(storage.all(Place).values()))
    api.delete("/api/v1/places/" + victim.id)
    assert sample_data.load() > 0
    assert storage.get(State, own.id) is not None
    assert storage.get(Place, victim.id) is not None


def test_places_have_owners_amenities_and_reviews():
    sample_data.load()
    for place in storage.all(Place).values():
        assert place.user is not None
        assert place.amenities
        assert place.reviews
    assert all(user.password and "$" in user.password for user in storage.all(User).values())


def test_command_line_and_flask_cli():
    for command in ([sys.executable, "-m", "models.sample_data"],
                    [sys.executable, "-m", "flask", "--app", "api.v1.app", "load-sample-data"]):
        env = dict(os.environ)
        env.pop("HBNB_ENV", None)  # the command must not drop what the test made
        result = subprocess.run(command, cwd=APP_DIR, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "12 State, 26 City, 12 Amenity, 12 User, 24 Place, 24 Review" in result.stdout
    storage.close()
    assert storage.count("State") == 12
