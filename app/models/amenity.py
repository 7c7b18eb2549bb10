"""Amenity: something a place offers (Wifi, a pool...)."""
import models
from models.base_model import Base, BaseModel
from models.fields import Field


class Amenity(BaseModel, Base):
    """An amenity, linked to places through ``place_amenity``."""

    FIELDS = {"name": Field(str, 128, required=True)}

    if models.storage_t == "db":
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "amenities"
        name: Mapped[str] = mapped_column(String(128))
        place_amenities: Mapped[list["Place"]] = relationship(  # noqa: F821
            secondary="place_amenity", back_populates="amenities",
            passive_deletes=True)
    else:
        name = ""
