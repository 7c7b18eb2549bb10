"""Task 100: "/hbnb", the whole HBnB page: filters and places from storage."""
from flask import Flask, render_template

from web_flask.catalog import Catalog, use_storage

app = Flask(__name__)
use_storage(app)


@app.route("/hbnb", strict_slashes=False)
def hbnb():
    """The whole HBnB page: filters and places."""
    return render_template("100-hbnb.html", catalog=Catalog())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
