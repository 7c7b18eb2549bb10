"""What every resource of the API does the same way: read a JSON body,
validate it against the model's fields, find an object or answer 404, create,
update, delete.  The view modules only say which model and which rules."""
from flask import abort, jsonify, request

from models import storage
from models.base_model import PROTECTED_ATTRIBUTES

# Ids are uuid4 strings (36 characters, 60 in the schema); anything longer
# cannot exist and is not worth a database round trip.
MAX_ID_LENGTH = 60


def json_body():
    """The request's JSON object, or a 400 "Not a JSON".

    A wrong content type, a malformed body and JSON that is not an object (a
    list, ``null``, a number) are all "Not a JSON": the view never sees them.
    """
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        # JSON nested deeper than the parser can recurse (a kilobyte of
        # "[[[..." does it); ``silent`` only covers ValueError: it was a 500.
        data = None
    if not isinstance(data, dict):
        abort(400, description="Not a JSON")
    return data


def get_or_404(cls, object_id):
    """The stored object of ``cls`` with this id, or a 404."""
    obj = None
    if len(object_id) <= MAX_ID_LENGTH:
        obj = storage.get(cls, object_id)
    if obj is None:
        abort(404)
    return obj


def require(data, *keys):
    """400 "Missing <key>" for the first required key that is absent."""
    for key in keys:
        if key not in data:
            abort(400, description="Missing {}".format(key))


def checked_fields(cls, data, ignore=()):
    """The part of ``data`` that ``cls`` accepts, type-checked (else 400).

    Keys that are not fields of the model, or that the caller ignores, are
    dropped, so a client can never set ids, timestamps or internals.
    """
    accepted = {}
    for key, value in data.items():
        field = cls.FIELDS.get(key)
        if field is None or key in ignore or key in PROTECTED_ATTRIBUTES:
            continue
        problem = field.check(value)
        if problem:
            abort(400, description="{} {}".format(key, problem))
        accepted[key] = value
    return accepted


def listing(objects):
    """200 with the objects' dicts, in a stable order."""
    ordered = sorted(objects, key=lambda obj: (getattr(obj, "name", "") or "",
                                               obj.id))
    return jsonify([obj.to_dict() for obj in ordered])


def show(obj):
    """200 with the object's dict."""
    return jsonify(obj.to_dict())


def create(cls, data, **links):
    """Create and store an object from a validated body; 201."""
    obj = cls(**checked_fields(cls, data), **links)
    obj.save()
    return jsonify(obj.to_dict()), 201


def update(obj, data, ignore=()):
    """Apply a validated body to an object (ignored keys untouched); 200."""
    obj.update(checked_fields(type(obj), data, ignore))
    obj.save()
    return jsonify(obj.to_dict()), 200


def delete(obj):
    """Delete an object; 200 with an empty object."""
    storage.delete(obj)
    storage.save()
    return jsonify({}), 200
