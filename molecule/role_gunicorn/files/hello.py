"""A tiny WSGI application that tells who served the request."""
import os

# The process that imported this module: the master under preload_app.
LOADED_BY = os.getpid()
EDITION = "first"
# Who served the requests this module has seen: a warm-up request made by the
# master before the fork is first in every worker's copy.
SERVED_BY = []


def app(environ, start_response):
    """Who served, who imported, and which edition of this file."""
    SERVED_BY.append(os.getpid())
    body = ("hello from {} greeting={} loaded-by={} first-served-by={} "
            "edition={}\n").format(
        os.getpid(), os.environ.get("GREETING", "none"), LOADED_BY,
        SERVED_BY[0], EDITION).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
