"""The REST API: ``gunicorn api.v1.app:app`` or ``python3 -m api.v1.app``."""
import logging
import os

import click
from flask import Flask, jsonify
from flask_cors import CORS
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from werkzeug.exceptions import HTTPException

from models import close_storage

log = logging.getLogger(__name__)

# Client-facing texts of the errors the spec fixes; others use Werkzeug's name.
ERROR_MESSAGES = {404: "Not found"}

# Request bodies are small JSON objects; more is a mistake or an attack.
MAX_BODY_BYTES = 1024 * 1024


def create_app():
    """Build the API application."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False

    from api.v1.cache import ResponseCache
    from api.v1.views import app_views
    app.register_blueprint(app_views)
    ResponseCache().init_app(app)
    # send_wildcard: answer "*" as the spec shows (flask-cors 6 echoes the
    # origin).
    CORS(app, resources={r"/api/v1/*": {"origins": "*"}},
         send_wildcard=True)

    app.teardown_appcontext(close_storage)
    app.cli.add_command(load_sample_data)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(IntegrityError, conflict)
    app.register_error_handler(DataError, invalid_data)
    app.register_error_handler(Exception, internal_error)
    return app


@click.command("load-sample-data")
def load_sample_data():
    """Load the sample dataset (idempotent)."""
    from models import sample_data
    sample_data.main()


def error(status, message):
    """A JSON ``{"error": message}`` response with this status."""
    response = jsonify({"error": message})
    response.status_code = status
    return response


def http_error(exc):
    """Every HTTP error as ``{"error": "<message>"}``, never an HTML page."""
    message = ERROR_MESSAGES.get(exc.code)
    if message is None:
        message = exc.description if exc.code == 400 else exc.name
    response = error(exc.code, message)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def database_unavailable(exc):
    """503 with Retry-After while the database cannot be reached."""
    log.error("database unavailable: %s", getattr(exc, "orig", exc))
    response = error(503, "Service unavailable")
    response.headers["Retry-After"] = "5"
    return response


def conflict(exc):
    """A row another request changed meanwhile (e.g. its owner was deleted)."""
    log.warning("integrity error: %s", getattr(exc, "orig", exc))
    return error(409, "Conflict")


def invalid_data(exc):
    """A value the database refuses (too long, out of range): a 400."""
    log.warning("data error: %s", getattr(exc, "orig", exc))
    return error(400, "Invalid data")


def internal_error(exc):
    """Anything unexpected: logged with its traceback, a bare JSON 500."""
    log.exception("unhandled error")
    return error(500, "Internal server error")


app = create_app()

if __name__ == "__main__":
    app.run(host=os.getenv("HBNB_API_HOST", "0.0.0.0"),
            port=int(os.getenv("HBNB_API_PORT", "5000")),
            threaded=True)
