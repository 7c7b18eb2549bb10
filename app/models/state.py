"""State: a region that holds cities."""
import models
from models.base_model import Base, BaseModel
from models.fields import Field


class State(BaseModel, Base):
    """A state; deleting it deletes its cities."""

    FIELDS = {"name": Field(str, 128, required=True)}

    if models.storage_t == "db":
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "states"
        name: Mapped[str] = mapped_column(String(128))
        cities: Mapped[list["City"]] = relationship(  # noqa: F821
            back_populates="state", cascade="all, delete, delete-orphan",
            passive_deletes=True)
    else:
        name = ""

        @property
        def cities(self):
            """Cities of this state, read from FileStorage."""
            return [city for city in models.storage.all("City").values()
                    if city.state_id == self.id]
