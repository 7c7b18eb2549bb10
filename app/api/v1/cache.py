"""A response cache for the API's GET answers, exact across processes.

Each worker keeps the bodies it built, tagged with the storage's write counter
(``storage.generation()``) read at the start of the request, in the same
database snapshot as the data.  Every transaction that writes adds one to the
counter when it commits, so the first read after a write acknowledged by any
worker, on any web host, sees a new value and builds its answer again.  The
counter is one primary-key read: far cheaper than loading and serialising a
hundred rows.  Storage without a counter (the JSON file) caches nothing.
"""
import threading
from collections import OrderedDict

from flask import current_app, g, request

from models import storage

# Answers kept per worker, least recently used dropped first.
MAX_ENTRIES = 256
# Larger bodies are not kept: memory per worker stays bounded.
MAX_BODY_BYTES = 256 * 1024


def storage_free(view):
    """Mark a view that never reads storage: it is neither cached nor made
    to wait for the database (``/status`` must answer while it is down)."""
    view.hbnb_storage_free = True
    return view


class ResponseCache:
    """GET answers by path and query string, valid for one write counter."""

    def __init__(self, max_entries=MAX_ENTRIES):
        """An empty cache."""
        self.max_entries = max_entries
        self.entries = OrderedDict()
        # Threaded workers (gthread) share one cache.
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def init_app(self, app):
        """Serve from the cache before the views, and fill it after them."""
        app.before_request(self.lookup)
        app.after_request(self.store)
        app.extensions["hbnb_response_cache"] = self

    def lookup(self):
        """The kept answer for this request if nothing was written since."""
        if request.method != "GET" or request.endpoint is None:
            return None
        view = current_app.view_functions[request.endpoint]
        if getattr(view, "hbnb_storage_free", False):
            return None
        generation = storage.generation()
        if generation is None:
            return None
        g.cache_generation = generation
        key = request.full_path
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != generation:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
        _, body, mimetype = entry
        # A fresh response: the after_request hooks (CORS) still run on it.
        response = current_app.response_class(body, status=200,
                                              mimetype=mimetype)
        g.cache_hit = True
        return response

    def store(self, response):
        """Keep a 200 answer built in this request."""
        generation = g.pop("cache_generation", None)
        if (generation is None or g.pop("cache_hit", False)
                or response.status_code != 200 or response.direct_passthrough
                or response.is_streamed):
            return response
        body = response.get_data()
        if len(body) > MAX_BODY_BYTES:
            return response
        with self.lock:
            self.entries[request.full_path] = (generation, body,
                                               response.mimetype)
            self.entries.move_to_end(request.full_path)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        return response
