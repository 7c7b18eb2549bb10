"""Task 9: "/states" lists the States, "/states/<id>" one State's cities.

An unknown id renders "Not found!" with status 200, as the project shows.
"""
from flask import Flask, render_template

from models import storage
from web_flask.catalog import all_sorted, by_name, use_storage

app = Flask(__name__)
use_storage(app)


@app.route("/states", strict_slashes=False)
def states():
    """Every State, sorted by name."""
    return render_template("9-states.html", states=all_sorted("State"))


@app.route("/states/<state_id>", strict_slashes=False)
def state(state_id):
    """One State and its cities, or "Not found!"."""
    found = storage.get("State", state_id)
    if found is None:
        return render_template("9-states.html")
    return render_template("9-states.html", state=found,
                           cities=by_name(found.cities))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
