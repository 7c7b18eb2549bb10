"""/states: list, show, create, update, delete."""
from api.v1.views import app_views, crud
from models import storage
from models.state import State


@app_views.route("/states", methods=["GET"], strict_slashes=False)
def get_states():
    """Every state."""
    return crud.listing(storage.all(State).values())


@app_views.route("/states/<state_id>", methods=["GET"], strict_slashes=False)
def get_state(state_id):
    """One state, or 404."""
    return crud.show(crud.get_or_404(State, state_id))


@app_views.route("/states/<state_id>",
                 methods=["DELETE"], strict_slashes=False)
def delete_state(state_id):
    """Delete a state with its cities and what they hold."""
    return crud.delete(crud.get_or_404(State, state_id))


@app_views.route("/states", methods=["POST"], strict_slashes=False)
def post_state():
    """Create a state; ``name`` is required."""
    data = crud.json_body()
    crud.require(data, "name")
    return crud.create(State, data)


@app_views.route("/states/<state_id>", methods=["PUT"], strict_slashes=False)
def put_state(state_id):
    """Update a state's fields."""
    state = crud.get_or_404(State, state_id)
    return crud.update(state, crud.json_body())
