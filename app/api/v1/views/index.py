"""Service routes: status, object counts, the OpenAPI document."""
from flask import jsonify

from api.v1.cache import storage_free
from api.v1.openapi import openapi_document
from api.v1.views import app_views
from models import storage

STATS = {
    "amenities": "Amenity",
    "cities": "City",
    "places": "Place",
    "reviews": "Review",
    "states": "State",
    "users": "User",
}


@app_views.route("/status", methods=["GET"], strict_slashes=False)
@storage_free
def status():
    """Liveness: answers without touching storage."""
    return jsonify({"status": "OK"})


@app_views.route("/stats", methods=["GET"], strict_slashes=False)
def stats():
    """How many objects of each kind are stored."""
    return jsonify({key: storage.count(cls) for key, cls in STATS.items()})


@app_views.route("/openapi.json", methods=["GET"], strict_slashes=False)
@storage_free
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())
