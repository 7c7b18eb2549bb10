"""BaseModel: identity, timestamps and serialisation shared by every model."""
import uuid
from datetime import datetime, timezone

import models

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"

# Attributes a client may never set through the API or kwargs of a new object.
PROTECTED_ATTRIBUTES = frozenset(
    {"id", "created_at", "updated_at", "__class__"})


def utcnow():
    """Naive UTC time: MariaDB DATETIME columns carry no zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def parse_time(value):
    """Accept a datetime or the project's string format (with or without
    microseconds, since MySQL dumps of the original project dropped them)."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")


if models.storage_t == "db":
    from sqlalchemy import DateTime, String
    from sqlalchemy.dialects.mysql import DATETIME
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    # Microsecond precision so that a value read back equals the one written.
    Timestamp = DateTime().with_variant(DATETIME(fsp=6), "mysql", "mariadb")

    # Explicit, so that names in any script survive whatever the server's
    # default character set is.
    TABLE_OPTIONS = {"mysql_charset": "utf8mb4",
                     "mysql_collate": "utf8mb4_unicode_ci"}

    class Base(DeclarativeBase):
        """Declarative base of every table."""

        __table_args__ = TABLE_OPTIONS

    class _Columns:
        """The columns every table has: id and timestamps."""

        id: Mapped[str] = mapped_column(String(60), primary_key=True)
        created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
        updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
else:
    class Base:
        """FileStorage needs no mapping: models are plain Python objects."""

    class _Columns:
        """No columns: the attributes are set by BaseModel.__init__."""


class BaseModel(_Columns):
    """Common behaviour of every model of the clone."""

    def __init__(self, *args, **kwargs):
        """A new object, or one rebuilt from its ``to_dict()`` (kwargs)."""
        for key, value in kwargs.items():
            if key == "__class__":
                continue
            if key in ("created_at", "updated_at") and value is not None:
                value = parse_time(value)
            setattr(self, key, value)
        if getattr(self, "id", None) is None:
            self.id = str(uuid.uuid4())
        if getattr(self, "created_at", None) is None:
            self.created_at = utcnow()
        if getattr(self, "updated_at", None) is None:
            self.updated_at = self.created_at

    def __str__(self):
        """``[<Class>] (<id>) <attributes>``, as in the original project."""
        return "[{}] ({}) {}".format(type(self).__name__, self.id,
                                     self.__dict__)

    def save(self):
        """Stamp the change and persist it."""
        self.updated_at = utcnow()
        models.storage.new(self)
        models.storage.save()

    def update(self, attributes, ignore=()):
        """Apply client-supplied attributes, skipping protected ones."""
        for key, value in attributes.items():
            if key not in PROTECTED_ATTRIBUTES and key not in ignore:
                setattr(self, key, value)

    def to_dict(self, save_fs=None):
        """Plain-JSON view of the object.

        The password hash leaves the process only when FileStorage writes its
        file (``save_fs``); API responses never carry it.
        """
        data = {
            key: value
            for key, value in self.__dict__.items()
            if not key.startswith("_")
        }
        for key in ("created_at", "updated_at"):
            if isinstance(data.get(key), datetime):
                # TIME_FORMAT's text (naive datetimes, microseconds always
                # written), several times faster than strftime: it counted
                # for a fifth of a 100-object listing.
                data[key] = data[key].isoformat(timespec="microseconds")
        data["__class__"] = type(self).__name__
        # Relationship collections are objects, not JSON.
        for key in ("amenities", "reviews", "cities", "places", "user",
                    "state", "place"):
            data.pop(key, None)
        if save_fs is None:
            data.pop("password", None)
        return data

    def delete(self):
        """Remove the object from storage."""
        models.storage.delete(self)
