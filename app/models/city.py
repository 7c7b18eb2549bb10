"""City: belongs to a State, holds places."""
import models
from models.base_model import Base, BaseModel
from models.fields import Field


class City(BaseModel, Base):
    """A city; deleting it deletes its places."""

    FIELDS = {"name": Field(str, 128, required=True)}

    if models.storage_t == "db":
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "cities"
        state_id: Mapped[str] = mapped_column(
            String(60), ForeignKey("states.id", ondelete="CASCADE"),
            index=True)
        name: Mapped[str] = mapped_column(String(128))
        state: Mapped["State"] = relationship(  # noqa: F821
            back_populates="cities")
        places: Mapped[list["Place"]] = relationship(  # noqa: F821
            back_populates="cities", cascade="all, delete, delete-orphan",
            passive_deletes=True)
    else:
        state_id = ""
        name = ""

        @property
        def places(self):
            """Places of this city, read from FileStorage."""
            return [place for place in models.storage.all("Place").values()
                    if place.city_id == self.id]
