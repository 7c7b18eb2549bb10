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
    return os.environ["HBNB_FILE_STORAGE_PATH"]


def worker(code):
    """Run ``code`` in another Python process sharing the same file."""
    prelude = "from models import storage\nfrom models.state import State\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=APP_DIR, env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_original_private_attributes_exist():
    assert isinstance(FileStorage._FileStorage__objects, dict)
    assert FileStorage._FileStorage__file_path == path()


def test_save_writes_json_keyed_by_class_and_id(storage):
    state = State(name="Vermont")
    state.save()
    with open(path()) as handle:
        data = json.load(handle)
    assert data["State." + state.id]["name"] == "Vermont"
    assert data["State." + state.id]["__class__"] == "State"


def test_file_is_not_world_readable(storage):
    State(name="Private").save()
    assert os.stat(path()).st_mode & 0o007 == 0


def test_missing_file_is_empty_storage(storage):
    assert not os.path.exists(path())
    assert storage.all() == {}


def test_damaged_file_is_refused_not_overwritten(storage):
    with open(path(), "w") as handle:
        handle.write("{broken")
    with pytest.raises(RuntimeError, match="not valid JSON"):
        storage.reload()
    with open(path()) as handle:
        assert handle.read() == "{broken"
    os.unlink(path())


def test_write_by_another_process_is_seen_on_next_read(storage):
    assert storage.count(State) == 0
    state_id = worker("s = State(name='Kansas'); s.save(); print(s.id)")
    assert storage.get(State, state_id).name == "Kansas"


def test_delete_by_another_process_is_seen_on_next_read(storage):
    state = State(name="Gone")
    state.save()
    worker("storage.delete(storage.get(State, {!r})); storage.save()".format(state.id))
    assert storage.get(State, state.id) is None
    assert storage.count(State) == 0


def test_saving_does_not_undo_another_process_write(storage):
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
    code = textwrap.dedent("""
        import subprocess, sys
        from models import storage
        from models.state import State
        for i in range(25):
            State(name='w{}-{}'.format(sys.argv[1], i)).save()
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n)], cwd=APP_DIR,
                              env=dict(os.environ)) for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert storage.count(State) == 100


def test_unsaved_changes_are_dropped_at_close(storage):
    state = State(name="Draft")
    storage.new(state)
    assert storage.get(State, state.id) is state
    storage.close()
    assert storage.get(State, state.id) is None


def test_reads_return_the_same_objects_until_the_file_changes(storage):
    state = State(name="Same")
    state.save()
    assert storage.get(State, state.id) is storage.get(State, state.id)


def test_models_module_reports_file_storage():
    assert models.storage_t != "db"
