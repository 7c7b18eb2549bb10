"""Review: a user's text about a place."""
import models
from models.base_model import Base, BaseModel
from models.fields import Field


class Review(BaseModel, Base):
    """A review written by a user about a place."""

    FIELDS = {"text": Field(str, 1024, required=True)}

    if models.storage_t == "db":
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        __tablename__ = "reviews"
        place_id: Mapped[str] = mapped_column(
            String(60), ForeignKey("places.id", ondelete="CASCADE"),
            index=True)
        user_id: Mapped[str] = mapped_column(
            String(60), ForeignKey("users.id", ondelete="CASCADE"), index=True)
        text: Mapped[str] = mapped_column(String(1024))
        place: Mapped["Place"] = relationship(  # noqa: F821
            back_populates="reviews")
        user: Mapped["User"] = relationship(  # noqa: F821
            back_populates="reviews")
    else:
        place_id = ""
        user_id = ""
        text = ""
