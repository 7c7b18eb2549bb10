"""/users: list, show, create, update, delete.  Passwords are write-only."""
from api.v1.views import app_views, crud
from models import storage
from models.user import User


@app_views.route("/users", methods=["GET"], strict_slashes=False)
def get_users():
    """Every user, without passwords."""
    return crud.listing(storage.all(User).values())


@app_views.route("/users/<user_id>", methods=["GET"], strict_slashes=False)
def get_user(user_id):
    """One user, or 404."""
    return crud.show(crud.get_or_404(User, user_id))


@app_views.route("/users/<user_id>", methods=["DELETE"], strict_slashes=False)
def delete_user(user_id):
    """Delete a user with their places and reviews."""
    return crud.delete(crud.get_or_404(User, user_id))


@app_views.route("/users", methods=["POST"], strict_slashes=False)
def post_user():
    """Create a user; ``email`` and ``password`` are required."""
    data = crud.json_body()
    crud.require(data, "email", "password")
    return crud.create(User, data)


@app_views.route("/users/<user_id>", methods=["PUT"], strict_slashes=False)
def put_user(user_id):
    """Update a user's fields; the email cannot change."""
    user = crud.get_or_404(User, user_id)
    return crud.update(user, crud.json_body(), ignore=("email",))
