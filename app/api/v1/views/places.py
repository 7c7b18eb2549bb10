"""/cities/<id>/places and /places/<id>."""
from flask import abort

from api.v1.views import app_views, crud
from models.city import City
from models.place import Place
from models.user import User


@app_views.route("/cities/<city_id>/places",
                 methods=["GET"], strict_slashes=False)
def get_places(city_id):
    """The places of a city, or 404 for an unknown city."""
    return crud.listing(crud.get_or_404(City, city_id).places)


@app_views.route("/places/<place_id>", methods=["GET"], strict_slashes=False)
def get_place(place_id):
    """One place, or 404."""
    return crud.show(crud.get_or_404(Place, place_id))


@app_views.route("/places/<place_id>",
                 methods=["DELETE"], strict_slashes=False)
def delete_place(place_id):
    """Delete a place with its reviews."""
    return crud.delete(crud.get_or_404(Place, place_id))


@app_views.route("/cities/<city_id>/places",
                 methods=["POST"], strict_slashes=False)
def post_place(city_id):
    """Create a place in a city for an existing user."""
    city = crud.get_or_404(City, city_id)
    data = crud.json_body()
    crud.require(data, "user_id")
    user = owner_or_404(data["user_id"])
    crud.require(data, "name")
    return crud.create(Place, data, city_id=city.id, user_id=user.id)


@app_views.route("/places/<place_id>", methods=["PUT"], strict_slashes=False)
def put_place(place_id):
    """Update a place's fields; its owner and city stay."""
    place = crud.get_or_404(Place, place_id)
    return crud.update(place, crud.json_body(), ignore=("user_id", "city_id"))


def owner_or_404(user_id):
    """The User a body names in ``user_id``.

    400 if ``user_id`` is not a string, 404 if there is no such user.
    """
    if not isinstance(user_id, str):
        abort(400, description="user_id must be of type string")
    return crud.get_or_404(User, user_id)
