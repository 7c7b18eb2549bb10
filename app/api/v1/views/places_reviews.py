"""/places/<id>/reviews and /reviews/<id>."""
from api.v1.views import app_views, crud
from api.v1.views.places import owner_or_404
from models.place import Place
from models.review import Review


@app_views.route("/places/<place_id>/reviews", methods=["GET"], strict_slashes=False)
def get_reviews(place_id):
    return crud.listing(crud.get_or_404(Place, place_id).reviews)


@app_views.route("/reviews/<review_id>", methods=["GET"], strict_slashes=False)
def get_review(review_id):
    return crud.show(crud.get_or_404(Review, review_id))


@app_views.route("/reviews/<review_id>", methods=["DELETE"], strict_slashes=False)
def delete_review(review_id):
    return crud.delete(crud.get_or_404(Review, review_id))


@app_views.route("/places/<place_id>/reviews", methods=["POST"], strict_slashes=False)
def post_review(place_id):
    place = crud.get_or_404(Place, place_id)
    data = crud.json_body()
    crud.require(data, "user_id")
    user = owner_or_404(data["user_id"])
    crud.require(data, "text")
    return crud.create(Review, data, place_id=place.id, user_id=user.id)


@app_views.route("/reviews/<review_id>", methods=["PUT"], strict_slashes=False)
def put_review(review_id):
    review = crud.get_or_404(Review, review_id)
    return crud.update(review, crud.json_body(), ignore=("user_id", "place_id"))
