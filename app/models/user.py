"""User: owns places, writes reviews; the password is kept only as a hash."""
import re

from werkzeug.security import generate_password_hash

import models
from models.base_model import Base, BaseModel
from models.fields import Field

# What werkzeug's generate_password_hash produces: "method$salt$hash".  A value
# of that shape is already a hash (loaded from storage) and is kept as is.
_HASH_SHAPE = re.compile(
    r"^(scrypt:\d+:\d+:\d+|pbkdf2:sha256:\d+)\$[^$]+\$[0-9a-f]+$")


class User(BaseModel, Base):
    """A user; deleting it deletes its places and reviews."""

    FIELDS = {
        "email": Field(str, 128, required=True),
        "password": Field(str, 128, required=True),
        "first_name": Field(str, 128, nullable=True),
        "last_name": Field(str, 128, nullable=True),
    }

    if models.storage_t == "db":
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "users"
        email: Mapped[str] = mapped_column(String(128))
        # Room for a scrypt hash (about 160 characters), not the clear text.
        password: Mapped[str] = mapped_column(String(255))
        first_name: Mapped[str | None] = mapped_column(String(128))
        last_name: Mapped[str | None] = mapped_column(String(128))
        places: Mapped[list["Place"]] = relationship(  # noqa: F821
            back_populates="user", cascade="all, delete, delete-orphan",
            passive_deletes=True)
        reviews: Mapped[list["Review"]] = relationship(  # noqa: F821
            back_populates="user", cascade="all, delete, delete-orphan",
            passive_deletes=True)
    else:
        email = ""
        password = ""
        first_name = ""
        last_name = ""

    def __setattr__(self, name, value):
        """Set an attribute, hashing a clear-text password on the way."""
        if name == "password" and isinstance(value, str) \
                and not _HASH_SHAPE.match(value):
            value = generate_password_hash(value)
        super().__setattr__(name, value)
