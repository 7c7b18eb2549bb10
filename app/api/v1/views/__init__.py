"""The /api/v1 blueprint; importing the view modules registers their routes."""
from flask import Blueprint

app_views = Blueprint("app_views", __name__, url_prefix="/api/v1")

from api.v1.views import (  # noqa: E402,F401  (routes register on import)
    amenities,
    cities,
    index,
    places,
    places_amenities,
    places_reviews,
    places_search,
    states,
    users,
)
