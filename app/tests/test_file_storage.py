"""FileStorage specifics: the JSON file, and several processes sharing it the
way several Gunicorn workers do."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

import models
from models.engine.file_storage import FileStorage
from models.state import State

APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def path():
    """The JSON file of this test session."""
    return os.environ["HBNB_FILE_STORAGE_PATH"]


def worker(code):
    """Run ``code`` in another Python process sharing the same file."""
    prelude = "from models import storage\nfrom models.state import State\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=APP_DIR, env=dict(os.environ), capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_original_private_attributes_exist():
    """The original's private __objects and __file_path are there."""
    assert isinstance(FileStorage._FileStorage__objects, dict)
    assert FileStorage._FileStorage__file_path == path()


def test_save_writes_json_keyed_by_class_and_id(storage):
    """The file maps "<Class>.<id>" to each object's dict."""
    state = State(name="Vermont")
    state.save()
    with open(path()) as handle:
        data = json.load(handle)
    assert data["State." + state.id]["name"] == "Vermont"
    assert data["State." + state.id]["__class__"] == "State"


def test_file_is_not_world_readable(storage):
    """The file holds password hashes: others may not read it."""
    State(name="Private").save()
    assert os.stat(path()).st_mode & 0o007 == 0


def test_missing_file_is_empty_storage(storage):
    """No file yet is an empty storage, not an error."""
    assert not os.path.exists(path())
    assert storage.all() == {}


def test_damaged_file_is_refused_not_overwritten(storage):
    """Invalid JSON is an error, and the file is left as it was."""
    with open(path(), "w") as handle:
        handle.write("{broken")
    with pytest.raises(RuntimeError, match="not valid JSON"):
        storage.reload()
    with open(path()) as handle:
        assert handle.read() == "{broken"
    os.unlink(path())


def test_write_by_another_process_is_seen_on_next_read(storage):
    """An object another worker saves is found here."""
    assert storage.count(State) == 0
    state_id = worker("s = State(name='Kansas'); s.save(); print(s.id)")
    assert storage.get(State, state_id).name == "Kansas"


def test_delete_by_another_process_is_seen_on_next_read(storage):
    """An object another worker deletes is gone here."""
    state = State(name="Gone")
    state.save()
    worker("storage.delete(storage.get(State, {!r})); storage.save()"
           .format(state.id))
    assert storage.get(State, state.id) is None
    assert storage.count(State) == 0


def test_saving_does_not_undo_another_process_write(storage):
    """A save merges: it keeps what another worker saved."""
    mine = State(name="Mine")
    mine.save()
    theirs = worker("s = State(name='Theirs'); s.save(); print(s.id)")
    # this process still holds its own view; its next save must merge
    another = State(name="Another")
    storage.new(another)
    storage.save()
    names = {s.name for s in storage.all(State).values()}
    assert names == {"Mine", "Theirs", "Another"}
    assert storage.get(State, theirs) is not None


def test_concurrent_writers_lose_nothing(storage):
    """Four processes saving at once lose none of 100 objects."""
    code = textwrap.dedent("""
        import subprocess, sys
        from models import storage
        from models.state import State
        for i in range(25):
            State(name='w{}-{}'.format(sys.argv[1], i)).save()
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n)],
                              cwd=APP_DIR, env=dict(os.environ))
             for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert storage.count(State) == 100


def test_unsaved_changes_are_dropped_at_close(storage):
    """close() forgets objects that were never saved."""
    state = State(name="Draft")
    storage.new(state)
    assert storage.get(State, state.id) is state
    storage.close()
    assert storage.get(State, state.id) is None


def test_reads_return_the_same_objects_until_the_file_changes(storage):
    """An unchanged file gives back the same Python objects."""
    state = State(name="Same")
    state.save()
    assert storage.get(State, state.id) is storage.get(State, state.id)


def test_models_module_reports_file_storage():
    """models.storage_t says which engine this session uses."""
    assert models.storage_t != "db"


def test_all_is_the_live_objects_dictionary(storage):
    """all() hands out __objects itself, as the original interface says."""
    assert storage.all() is storage.all()
    assert storage.all() is FileStorage._FileStorage__objects
    state = State(name="Added directly")
    key = "State." + state.id
    storage.all()[key] = state
    assert storage.get(State, state.id) is state
    storage.save()
    with open(path()) as handle:
        assert json.load(handle)[key]["name"] == "Added directly"


def test_deleting_from_all_is_saved(storage):
    """The original console's destroy: del storage.all()[key]; save()."""
    state = State(name="Destroyed")
    state.save()
    key = "State." + state.id
    del storage.all()[key]
    assert storage.count(State) == 0
    storage.save()
    with open(path()) as handle:
        assert key not in json.load(handle)
    storage.reload()
    assert storage.get(State, state.id) is None


def test_all_of_one_class_is_a_copy(storage):
    """Only the unfiltered view is live: a filtered one is built per call."""
    state = State(name="Kept")
    state.save()
    only_states = storage.all(State)
    assert only_states is not storage.all(State)
    only_states.clear()
    assert storage.get(State, state.id) is state
