"""/amenities: list, show, create, update, delete."""
from api.v1.views import app_views, crud
from models import storage
from models.amenity import Amenity


@app_views.route("/amenities", methods=["GET"], strict_slashes=False)
def get_amenities():
    """Every amenity."""
    return crud.listing(storage.all(Amenity).values())


@app_views.route("/amenities/<amenity_id>",
                 methods=["GET"], strict_slashes=False)
def get_amenity(amenity_id):
    """One amenity, or 404."""
    return crud.show(crud.get_or_404(Amenity, amenity_id))


@app_views.route("/amenities/<amenity_id>",
                 methods=["DELETE"], strict_slashes=False)
def delete_amenity(amenity_id):
    """Delete an amenity; it is unlinked from every place."""
    return crud.delete(crud.get_or_404(Amenity, amenity_id))


@app_views.route("/amenities", methods=["POST"], strict_slashes=False)
def post_amenity():
    """Create an amenity; ``name`` is required."""
    data = crud.json_body()
    crud.require(data, "name")
    return crud.create(Amenity, data)


@app_views.route("/amenities/<amenity_id>",
                 methods=["PUT"], strict_slashes=False)
def put_amenity(amenity_id):
    """Update an amenity's fields."""
    amenity = crud.get_or_404(Amenity, amenity_id)
    return crud.update(amenity, crud.json_body())
