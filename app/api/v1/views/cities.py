"""/states/<id>/cities and /cities/<id>."""
from api.v1.views import app_views, crud
from models.city import City
from models.state import State


@app_views.route("/states/<state_id>/cities",
                 methods=["GET"], strict_slashes=False)
def get_cities(state_id):
    """The cities of a state, or 404 for an unknown state."""
    return crud.listing(crud.get_or_404(State, state_id).cities)


@app_views.route("/cities/<city_id>", methods=["GET"], strict_slashes=False)
def get_city(city_id):
    """One city, or 404."""
    return crud.show(crud.get_or_404(City, city_id))


@app_views.route("/cities/<city_id>", methods=["DELETE"], strict_slashes=False)
def delete_city(city_id):
    """Delete a city with its places and their reviews."""
    return crud.delete(crud.get_or_404(City, city_id))


@app_views.route("/states/<state_id>/cities",
                 methods=["POST"], strict_slashes=False)
def post_city(state_id):
    """Create a city in a state; ``name`` is required."""
    state = crud.get_or_404(State, state_id)
    data = crud.json_body()
    crud.require(data, "name")
    return crud.create(City, data, state_id=state.id)


@app_views.route("/cities/<city_id>", methods=["PUT"], strict_slashes=False)
def put_city(city_id):
    """Update a city's fields; it cannot move to another state."""
    city = crud.get_or_404(City, city_id)
    return crud.update(city, crud.json_body(), ignore=("state_id",))
