"""FileStorage: every object in one JSON file, safe to share between processes.

Several Gunicorn workers may serve the same file.  Two rules keep them in
agreement:

* reads are fresh: before answering, a worker compares the file's identity
  (inode, size, mtime) with what it last read and re-reads it when another
  worker has replaced it — a ``stat`` per call, a parse only after a change;
* writes are atomic and merged: ``save`` takes an exclusive lock, re-reads the
  file, applies only this worker's own changes (new, modified, deleted
  objects), writes a temporary file and renames it over the old one.  A reader
  sees the old file or the new one, never half of one, and no worker can undo
  another worker's write.

``all()`` without a class hands out ``__objects`` itself, as in the original
project: an object added to it, or deleted from it, is saved by the next
``save`` like one given to ``new`` or ``delete``.  So the dictionary is only
ever refilled, never replaced, and deletions are found by comparing it with
the file last read rather than by remembering ``delete`` calls.
"""
import fcntl
import json
import os
import tempfile

from models.classes import CLASSES, resolve

# What deleting an object takes with it: parent class -> (child class, key).
CASCADES = {
    "State": (("City", "state_id"),),
    "City": (("Place", "city_id"),),
    "User": (("Place", "user_id"), ("Review", "user_id")),
    "Place": (("Review", "place_id"),),
}


class FileStorage:
    """Serialises instances to a JSON file and back."""

    __file_path = os.getenv("HBNB_FILE_STORAGE_PATH", "file.json")
    __objects = {}

    def __init__(self):
        """Nothing read yet: ``reload`` (or the first call) reads the file."""
        # key -> the dict last read from / written to disk for that key
        self._snapshots = {}
        self._signature = None

    # -- the public interface -------------------------------------------
    def all(self, cls=None):
        """Objects by "<Class>.<id>": ``__objects`` itself, or a copy
        holding one class only."""
        self._refresh()
        cls = resolve(cls) if cls is not None else None
        if cls is None:
            return self.__objects
        return {key: obj for key, obj in self.__objects.items()
                if type(obj) is cls}

    def new(self, obj):
        """Add an object; it is written by the next ``save``."""
        self.__objects[self._key(obj)] = obj

    def save(self):
        """Merge this process's changes into the file, atomically."""
        with self._locked():
            disk = self._read_disk()
            for key in self._removed_keys():
                disk.pop(key, None)
            for key, obj in self.__objects.items():
                data = obj.to_dict(save_fs=True)
                if self._snapshots.get(key) != data:
                    disk[key] = data
            self._write_disk(disk)
            self._adopt(disk, keep_local_changes=False)

    def reload(self):
        """Read the file again, dropping changes that were never saved."""
        self._snapshots = {}
        self.__objects.clear()
        self._signature = None
        self._refresh()

    def delete(self, obj=None):
        """Remove an object, and what belongs to it, at the next ``save``."""
        if obj is None:
            return
        self._refresh()
        self.__objects.pop(self._key(obj), None)
        for child_class, foreign_key in CASCADES.get(type(obj).__name__, ()):
            for child in list(self.all(child_class).values()):
                if getattr(child, foreign_key, None) == obj.id:
                    self.delete(child)
        if type(obj).__name__ == "Amenity":
            for place in self.all("Place").values():
                if obj.id in place.amenity_ids:
                    place.amenity_ids = [amenity_id for amenity_id
                                         in place.amenity_ids
                                         if amenity_id != obj.id]

    def close(self):
        """End of a request: forget unsaved changes, re-read the file."""
        self.reload()

    def get(self, cls, id):
        """The object of class ``cls`` with this id, or None."""
        cls = resolve(cls)
        if cls is None or not isinstance(id, str):
            return None
        self._refresh()
        return self.__objects.get("{}.{}".format(cls.__name__, id))

    def count(self, cls=None):
        """How many objects (of one class, or of every class) are stored."""
        return len(self.all(cls))

    def generation(self):
        """No write counter: the API caches nothing with this engine."""
        return None

    # -- internals --------------------------------------------------------
    @staticmethod
    def _key(obj):
        """The "<Class>.<id>" key of an object."""
        return "{}.{}".format(type(obj).__name__, obj.id)

    def _removed_keys(self):
        """Keys read from the file that are no longer among the objects.

        Objects of a class this process does not know are never loaded, so
        their absence is not a deletion.
        """
        return [key for key, data in self._snapshots.items()
                if key not in self.__objects
                and data.get("__class__") in CLASSES]

    def _stat_signature(self):
        """The file's identity (inode, size, mtime), or None if absent."""
        try:
            st = os.stat(self.__file_path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _refresh(self):
        """Re-read the file if another process has replaced it."""
        signature = self._stat_signature()
        if signature is not None and signature == self._signature:
            return
        if (signature is None and self._signature is None
                and self._snapshots == {}):
            return
        self._adopt(self._read_disk(), keep_local_changes=True)

    def _read_disk(self):
        """The file's objects as dicts, remembering which file was read."""
        try:
            with open(self.__file_path, encoding="utf-8") as handle:
                # fstat, not stat: the identity of the file actually read.
                st = os.fstat(handle.fileno())
                self._signature = (st.st_ino, st.st_size, st.st_mtime_ns)
                data = json.load(handle)
        except FileNotFoundError:
            self._signature = None
            return {}
        except ValueError as error:
            # Refuse to go on: treating a damaged file as empty would let the
            # next save overwrite every object in it.
            raise RuntimeError("{} is not valid JSON: {}".format(
                self.__file_path, error)) from error
        if not isinstance(data, dict):
            raise RuntimeError("{} does not hold a JSON object".format(
                self.__file_path))
        return data

    def _write_disk(self, disk):
        """Replace the file with ``disk`` in one rename."""
        directory = os.path.dirname(os.path.abspath(self.__file_path))
        fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".hbnb-",
                                        suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(disk, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_path, 0o640)
            os.replace(tmp_path, self.__file_path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise
        self._signature = self._stat_signature()

    def _adopt(self, disk, keep_local_changes):
        """Make memory match ``disk``, keeping unsaved changes if asked.

        The Python objects that did not change are kept (callers hold
        references to them), and so is the dictionary itself: it is refilled,
        never replaced.
        """
        objects = {}
        for key, data in disk.items():
            current = self.__objects.get(key)
            if current is not None and current.to_dict(save_fs=True) == data:
                objects[key] = current
            else:
                cls = CLASSES.get(data.get("__class__"))
                if cls is not None:
                    objects[key] = cls(**data)
        if keep_local_changes:
            for key, obj in self.__objects.items():
                if self._snapshots.get(key) != obj.to_dict(save_fs=True):
                    objects[key] = obj
            for key in self._removed_keys():
                objects.pop(key, None)
        self._snapshots = disk
        self.__objects.clear()
        self.__objects.update(objects)

    def _locked(self):
        """The lock that serialises writers of this file."""
        return _FileLock(self.__file_path + ".lock")


class _FileLock:
    """An exclusive advisory lock held for the duration of a ``with``."""

    def __init__(self, path):
        """A lock on ``path``, taken by ``with``."""
        self._path = path
        self._fd = None

    def __enter__(self):
        """Wait for the lock and take it."""
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o640)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        """Release the lock."""
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
