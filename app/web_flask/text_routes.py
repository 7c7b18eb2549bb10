"""The routes of tasks 0-6, which every later module of the series repeats.

In the original project each numbered module copies the view functions of
the previous ones (task 3 answers everything tasks 0-2 answer, and so on).
Here the views live once, tagged with the task that introduced them, and a
module registers every route up to its own task number.
"""
from flask import render_template


def hello():
    """Task 0: "Hello HBNB!" at "/"."""
    return "Hello HBNB!"


def hbnb():
    """Task 1: "HBNB"."""
    return "HBNB"


def c_is(text):
    """Task 2: "C " and the text, underscores shown as spaces."""
    return "C " + text.replace("_", " ")


def python_is(text="is cool"):
    """Task 3: "Python " and the text, "is cool" by default."""
    # A Python default rather than a Werkzeug rule default: Werkzeug would
    # redirect /python/<default> to /python.
    return "Python " + text.replace("_", " ")


def number(n):
    """Task 4: "<n> is a number", for integers only."""
    return "{} is a number".format(n)


def number_template(n):
    """Task 5: an HTML page naming the number."""
    return render_template("5-number.html", n=n)


def number_odd_or_even(n):
    """Task 6: an HTML page saying whether the number is odd or even."""
    return render_template("6-number_odd_or_even.html", n=n)


# (task that introduced the route, URL rule, view)
ROUTES = (
    (0, "/", hello),
    (1, "/hbnb", hbnb),
    (2, "/c/<text>", c_is),
    (3, "/python", python_is),
    (3, "/python/<text>", python_is),
    (4, "/number/<int:n>", number),
    (5, "/number_template/<int:n>", number_template),
    (6, "/number_odd_or_even/<int:n>", number_odd_or_even),
)


def register_routes(app, task):
    """Add to ``app`` every route of tasks 0 to ``task``.

    ``strict_slashes=False`` everywhere, as the project requires: behind a
    proxy a slash redirect would point at the upstream's host and port.
    """
    for introduced, rule, view in ROUTES:
        if introduced <= task:
            app.add_url_rule(rule, view_func=view, strict_slashes=False)
