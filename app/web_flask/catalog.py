"""What the data-driven pages show, read from storage and sorted by name.

Used by web_flask 7 to 100 and by every web_dynamic page (the original
web_dynamic modules are copies of web_flask/100-hbnb.py).  Only the generic
storage interface is used, so the pages work with FileStorage and DBStorage.
"""
import html
import re
from collections import defaultdict
from functools import cached_property

from markupsafe import Markup, escape
from sqlalchemy.exc import InterfaceError, OperationalError

from models import close_storage, storage

# A line break tag as it looks once escaped: <BR />, <br>, <br/>...
_ESCAPED_BREAK = re.compile(r"&lt;br\s*/?&gt;", re.IGNORECASE)


def by_name(objects):
    """A→Z by name; the id breaks ties so that the order is stable."""
    return sorted(objects, key=lambda obj: (obj.name, obj.id))


def all_sorted(class_name):
    """Every stored object of a class, sorted by name."""
    return by_name(storage.all(class_name).values())


class Catalog:
    """The lists a page may show, each read from storage on first use only:
    a page without places does not query them."""

    @cached_property
    def states(self):
        """(state, its cities) pairs.

        The cities are read once and grouped here: asking each state for its
        cities was one query per state (115 queries for 100 states, 3 pages/s).
        """
        cities = defaultdict(list)
        for city in storage.all("City").values():
            cities[city.state_id].append(city)
        return [(state, by_name(cities[state.id]))
                for state in all_sorted("State")]

    @cached_property
    def amenities(self):
        """Every amenity, sorted by name."""
        return all_sorted("Amenity")

    @cached_property
    def places(self):
        """Every place, sorted by name."""
        return all_sorted("Place")

    @cached_property
    def owners(self):
        """Users by id, read once for all the places' owners."""
        return {user.id: user for user in storage.all("User").values()}


def line_breaks(text):
    """Place descriptions carry <BR /> tags that must show as new lines (the
    original dumps are full of them) but come from API clients: escape
    everything, then let the line breaks alone through."""
    escaped = str(escape(text or ""))
    return Markup(_ESCAPED_BREAK.sub(lambda m: html.unescape(m.group(0)),
                                     escaped))


# What a page says while its database is unreachable: a short page and a
# hint to retry, never a stack trace or a hung request.
UNAVAILABLE_PAGE = ("<!DOCTYPE html>\n<html lang=\"en\">\n"
                    "<head><title>HBnB</title></head>\n"
                    "<body><h1>Service temporarily unavailable</h1>\n"
                    "<p>Please try again in a few seconds.</p></body>\n"
                    "</html>\n")


def database_unavailable(_error):
    """The short 503 page, with a hint to retry in 5 seconds."""
    return UNAVAILABLE_PAGE, 503, {"Retry-After": "5",
                                   "Content-Type": "text/html; charset=utf-8"}


def use_storage(app):
    """Set up ``app`` for pages rendered from storage."""
    app.teardown_appcontext(close_storage)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.jinja_env.filters["line_breaks"] = line_breaks
    # Block tags on their own lines leave no blank lines in the output.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
