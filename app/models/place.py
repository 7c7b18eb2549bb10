"""Place: a listing in a city, owned by a user, with reviews and amenities."""
import models
from models.base_model import Base, BaseModel
from models.fields import Field

if models.storage_t == "db":
    from sqlalchemy import Column, ForeignKey, String, Table

    from models.base_model import TABLE_OPTIONS

    place_amenity = Table(
        "place_amenity", Base.metadata,
        Column("place_id", String(60),
               ForeignKey("places.id", onupdate="CASCADE", ondelete="CASCADE"),
               primary_key=True),
        Column("amenity_id", String(60),
               ForeignKey("amenities.id", onupdate="CASCADE",
                          ondelete="CASCADE"),
               primary_key=True),
        **TABLE_OPTIONS,
    )


class Place(BaseModel, Base):
    """A place to stay."""

    FIELDS = {
        "name": Field(str, 128, required=True),
        "description": Field(str, 1024, nullable=True),
        "number_rooms": Field(int),
        "number_bathrooms": Field(int),
        "max_guest": Field(int),
        "price_by_night": Field(int),
        "latitude": Field(float, nullable=True, minimum=-90, maximum=90),
        "longitude": Field(float, nullable=True, minimum=-180, maximum=180),
    }

    if models.storage_t == "db":
        from sqlalchemy import Double, ForeignKey, Integer, String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "places"
        city_id: Mapped[str] = mapped_column(
            String(60), ForeignKey("cities.id", ondelete="CASCADE"),
            index=True)
        user_id: Mapped[str] = mapped_column(
            String(60), ForeignKey("users.id", ondelete="CASCADE"), index=True)
        name: Mapped[str] = mapped_column(String(128))
        description: Mapped[str | None] = mapped_column(String(1024))
        number_rooms: Mapped[int] = mapped_column(Integer, default=0)
        number_bathrooms: Mapped[int] = mapped_column(Integer, default=0)
        max_guest: Mapped[int] = mapped_column(Integer, default=0)
        price_by_night: Mapped[int] = mapped_column(Integer, default=0)
        latitude: Mapped[float | None] = mapped_column(Double)
        longitude: Mapped[float | None] = mapped_column(Double)
        # The original project names the city backref "cities" (sic); kept.
        cities: Mapped["City"] = relationship(  # noqa: F821
            back_populates="places")
        user: Mapped["User"] = relationship(  # noqa: F821
            back_populates="places")
        reviews: Mapped[list["Review"]] = relationship(  # noqa: F821
            back_populates="place", cascade="all, delete, delete-orphan",
            passive_deletes=True)
        # Loaded with the places, in one more query for all of them:
        # places_search filters every place on its amenities, and lazy
        # loading made that one query per place.
        amenities: Mapped[list["Amenity"]] = relationship(  # noqa: F821
            secondary="place_amenity", back_populates="place_amenities",
            viewonly=False, passive_deletes=True, lazy="selectin")
    else:
        city_id = ""
        user_id = ""
        name = ""
        description = ""
        number_rooms = 0
        number_bathrooms = 0
        max_guest = 0
        price_by_night = 0
        latitude = 0.0
        longitude = 0.0

        def __init__(self, *args, **kwargs):
            """Give each place its own ``amenity_ids``, then init as usual."""
            # Per instance: a class-level list would be shared by every place.
            self.amenity_ids = []
            super().__init__(*args, **kwargs)

        @property
        def user(self):
            """The User who owns this place, read from FileStorage."""
            return models.storage.get("User", self.user_id)

        @property
        def reviews(self):
            """Reviews of this place, read from FileStorage."""
            return [review for review in models.storage.all("Review").values()
                    if review.place_id == self.id]

        @property
        def amenities(self):
            """Amenities linked to this place, read from FileStorage."""
            found = (models.storage.get("Amenity", amenity_id)
                     for amenity_id in self.amenity_ids)
            return [amenity for amenity in found if amenity is not None]

        @amenities.setter
        def amenities(self, amenity):
            """Link an Amenity (anything else is ignored, as originally)."""
            if type(amenity).__name__ == "Amenity" \
                    and amenity.id not in self.amenity_ids:
                self.amenity_ids = self.amenity_ids + [amenity.id]
