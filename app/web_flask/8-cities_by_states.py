"""Task 8: "/cities_by_states", every State with its cities, sorted by name."""
from flask import Flask, render_template

from web_flask.catalog import Catalog, use_storage

app = Flask(__name__)
use_storage(app)


@app.route("/cities_by_states", strict_slashes=False)
def cities_by_states():
    """Every State with its cities, both sorted by name."""
    return render_template("8-cities_by_states.html", catalog=Catalog())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
