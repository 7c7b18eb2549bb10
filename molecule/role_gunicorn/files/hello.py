"""A tiny WSGI application that tells who served the request."""
import os

# The process that imported this module: the master under preload_app.
LOADED_BY = os.getpid()
EDITION = "first"


def app(environ, start_response):
    """Who served, who imported, and which edition of this file."""
    body = "hello from {} greeting={} loaded-by={} edition={}\n".format(
        os.getpid(), os.environ.get("GREETING", "none"), LOADED_BY,
        EDITION).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
