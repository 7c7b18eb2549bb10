"""Task 10: "/hbnb_filters", the HBnB page with its States and Amenities
filters filled from storage."""
from flask import Flask, render_template

from web_flask.catalog import Catalog, use_storage

app = Flask(__name__)
use_storage(app)


@app.route("/hbnb_filters", strict_slashes=False)
def hbnb_filters():
    """The HBnB page with its state, city and amenity filters."""
    return render_template("10-hbnb_filters.html", catalog=Catalog())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
