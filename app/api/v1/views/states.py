"""/states: list, show, create, update, delete."""
from api.v1.views import app_views, crud
from models import storage
from models.state import State


@app_views.route("/states", methods=["GET"], strict_slashes=False)
def get_states():
    return crud.listing(storage.all(State).values())


@app_views.route("/states/<state_id>", methods=["GET"], strict_slashes=False)
def get_state(state_id):
    return crud.show(crud.get_or_404(State, state_id))


@app_views.route("/states/<state_id>", methods=["DELETE"], strict_slashes=False)
def delete_state(state_id):
    return crud.delete(crud.get_or_404(State, state_id))


@app_views.route("/states", methods=["POST"], strict_slashes=False)
def post_state():
    data = crud.json_body()
    crud.require(data, "name")
    return crud.create(State, data)


@app_views.route("/states/<state_id>", methods=["PUT"], strict_slashes=False)
def put_state(state_id):
    state = crud.get_or_404(State, state_id)
    return crud.update(state, crud.json_body())
