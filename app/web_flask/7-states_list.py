"""Task 7: "/states_list", every State sorted by name."""
from flask import Flask, render_template

from web_flask.catalog import all_sorted, use_storage

app = Flask(__name__)
use_storage(app)


@app.route("/states_list", strict_slashes=False)
def states_list():
    """Every State, sorted by name."""
    return render_template("7-states_list.html", states=all_sorted("State"))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
