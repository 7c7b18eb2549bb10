"""/places/<id>/amenities: the links between places and amenities."""
from flask import abort, jsonify

import models
from api.v1.views import app_views, crud
from models.amenity import Amenity
from models.place import Place


@app_views.route("/places/<place_id>/amenities",
                 methods=["GET"], strict_slashes=False)
def get_place_amenities(place_id):
    """The amenities linked to a place."""
    return crud.listing(crud.get_or_404(Place, place_id).amenities)


@app_views.route("/places/<place_id>/amenities/<amenity_id>",
                 methods=["DELETE"], strict_slashes=False)
def unlink_amenity(place_id, amenity_id):
    """Remove the link between a place and an amenity."""
    place = crud.get_or_404(Place, place_id)
    amenity = crud.get_or_404(Amenity, amenity_id)
    if not is_linked(place, amenity):
        abort(404)
    if models.storage_t == "db":
        place.amenities.remove(amenity)
    else:
        place.amenity_ids = [i for i in place.amenity_ids if i != amenity.id]
    place.save()
    return jsonify({}), 200


@app_views.route("/places/<place_id>/amenities/<amenity_id>",
                 methods=["POST"], strict_slashes=False)
def link_amenity(place_id, amenity_id):
    """Link an amenity to a place: 201, or 200 if already linked."""
    place = crud.get_or_404(Place, place_id)
    amenity = crud.get_or_404(Amenity, amenity_id)
    if is_linked(place, amenity):
        return jsonify(amenity.to_dict()), 200
    if models.storage_t == "db":
        place.amenities.append(amenity)
    else:
        place.amenities = amenity
    place.save()
    return jsonify(amenity.to_dict()), 201


def is_linked(place, amenity):
    """Whether the amenity is among the place's amenities."""
    return any(linked.id == amenity.id for linked in place.amenities)
