"""/places/<id>/reviews and /reviews/<id>."""
from api.v1.views import app_views, crud
from api.v1.views.places import owner_or_404
from models.place import Place
from models.review import Review


@app_views.route("/places/<place_id>/reviews",
                 methods=["GET"], strict_slashes=False)
def get_reviews(place_id):
    """The reviews of a place, or 404 for an unknown place."""
    return crud.listing(crud.get_or_404(Place, place_id).reviews)


@app_views.route("/reviews/<review_id>", methods=["GET"], strict_slashes=False)
def get_review(review_id):
    """One review, or 404."""
    return crud.show(crud.get_or_404(Review, review_id))


@app_views.route("/reviews/<review_id>",
                 methods=["DELETE"], strict_slashes=False)
def delete_review(review_id):
    """Delete a review."""
    return crud.delete(crud.get_or_404(Review, review_id))


@app_views.route("/places/<place_id>/reviews",
                 methods=["POST"], strict_slashes=False)
def post_review(place_id):
    """Create a review of a place by an existing user."""
    place = crud.get_or_404(Place, place_id)
    data = crud.json_body()
    crud.require(data, "user_id")
    user = owner_or_404(data["user_id"])
    crud.require(data, "text")
    return crud.create(Review, data, place_id=place.id, user_id=user.id)


@app_views.route("/reviews/<review_id>", methods=["PUT"], strict_slashes=False)
def put_review(review_id):
    """Update a review's text; its author and place stay."""
    review = crud.get_or_404(Review, review_id)
    return crud.update(review, crud.json_body(),
                       ignore=("user_id", "place_id"))
