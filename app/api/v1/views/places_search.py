"""POST /places_search: places by states, cities and amenities."""
from flask import abort, jsonify

from api.v1.views import app_views, crud
from models import storage
from models.amenity import Amenity
from models.city import City
from models.place import Place
from models.state import State


@app_views.route("/places_search", methods=["POST"], strict_slashes=False)
def places_search():
    """Places in the listed states and cities (a union), then only those
    that have every listed amenity.  Nothing listed means every place; an
    unknown state or city is ignored, an unknown amenity matches nothing."""
    body = crud.json_body()
    state_ids = id_list(body, "states")
    city_ids = id_list(body, "cities")
    amenity_ids = id_list(body, "amenities")

    if state_ids or city_ids:
        cities = {}
        for state in found(State, state_ids):
            cities.update((city.id, city) for city in state.cities)
        cities.update((city.id, city) for city in found(City, city_ids))
        places = [place for city in cities.values() for place in city.places]
    else:
        places = list(storage.all(Place).values())

    if amenity_ids:
        wanted = set(amenity_ids)
        if len(found(Amenity, amenity_ids)) < len(wanted):
            places = []
        places = [place for place in places
                  if wanted <= {amenity.id for amenity in place.amenities}]

    places.sort(key=lambda place: (place.name or "", place.id))
    return jsonify([place.to_dict() for place in places])


def id_list(body, key):
    """``body[key]`` as a list of id strings, or a 400.

    An absent key and ``null`` both mean an empty list.
    """
    value = body.get(key)
    if value is None:
        return []
    if (not isinstance(value, list)
            or not all(isinstance(i, str) for i in value)):
        abort(400, description="{} must be a list of ids".format(key))
    return value


def found(cls, ids):
    """The stored objects among ``ids`` (unknown ones left out), each once."""
    objects = (storage.get(cls, object_id) for object_id in dict.fromkeys(ids)
               if len(object_id) <= crud.MAX_ID_LENGTH)
    return [obj for obj in objects if obj is not None]
