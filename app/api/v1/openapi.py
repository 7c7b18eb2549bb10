"""The OpenAPI 3 document of /api/v1, generated from the models' fields.

Request schemas come from each model's ``FIELDS`` (the same declarations the
views validate with), so the document and the implementation cannot disagree
on types, sizes or required keys.  ``tests/test_openapi.py`` checks that every
route of the application is documented and nothing else is.
"""
from functools import lru_cache

from models.fields import TYPE_NAMES

RESOURCES = {
    # schema name: (model module, class name, keys the server sets,
    #               required on POST)
    "State": ("models.state", "State", (), ("name",)),
    "City": ("models.city", "City", ("state_id",), ("name",)),
    "Amenity": ("models.amenity", "Amenity", (), ("name",)),
    "User": ("models.user", "User", (), ("email", "password")),
    "Place": ("models.place", "Place", ("city_id", "user_id"),
              ("user_id", "name")),
    "Review": ("models.review", "Review", ("place_id", "user_id"),
               ("user_id", "text")),
}

ERRORS = {
    400: "The body is not a JSON object, lacks a required key or has a value"
         " of the wrong type",
    404: "No such object",
    409: "The object changed meanwhile",
    413: "The body is larger than the API accepts",
    503: "The database is unreachable; retry later",
}

# What DELETE and unlinking answer.
EMPTY_OBJECT = {"type": "object", "maxProperties": 0}


def _model(name):
    """The model class a schema name stands for."""
    import importlib
    module, cls, _, _ = RESOURCES[name]
    return getattr(importlib.import_module(module), cls)


def _field_schema(field):
    """The JSON schema of one model field: type, size, bounds, null."""
    schema = {"type": TYPE_NAMES[field.kind]}
    if field.max_length:
        schema["maxLength"] = field.max_length
    if field.kind is not str:
        low, high = field.bounds()
        if low != float("-inf"):
            schema["minimum"] = low
        if high != float("inf"):
            schema["maximum"] = high
    if field.nullable:
        schema["nullable"] = True
    return schema


def _input_schema(name, for_create):
    """The schema of a POST (``for_create``) or PUT body."""
    fields = _model(name).FIELDS
    properties = {key: _field_schema(field) for key, field in fields.items()}
    if name == "User" and not for_create:
        properties.pop("email")  # immutable after creation
    schema = {"type": "object", "properties": properties,
              "additionalProperties": True}
    if for_create:
        _, _, _, required = RESOURCES[name]
        if "user_id" in required:
            properties["user_id"] = {"type": "string"}
        schema["required"] = list(required)
    return schema


def _output_schema(name):
    """The schema of an object as the API returns it."""
    _, _, server_keys, _ = RESOURCES[name]
    properties = {
        "id": {"type": "string"},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "__class__": {"type": "string", "enum": [name]},
    }
    for key in server_keys:
        properties[key] = {"type": "string"}
    for key, field in _model(name).FIELDS.items():
        if key != "password":
            schema = _field_schema(field)
            schema.pop("maxLength", None)
            schema.pop("minimum", None)
            schema.pop("maximum", None)
            # Stored before validation existed or by FileStorage defaults.
            schema["nullable"] = True
            properties[key] = schema
    return {"type": "object", "properties": properties,
            "required": ["id", "created_at", "updated_at", "__class__"],
            "additionalProperties": True}


def _ref(name):
    """A reference to a schema of the document's components."""
    return {"$ref": "#/components/schemas/{}".format(name)}


def _json(schema):
    """A JSON content entry holding ``schema``."""
    return {"application/json": {"schema": schema}}


def _responses(success, schema, *errors):
    """The success response (code, description) and the listed errors."""
    code, description = success
    responses = {str(code): {"description": description,
                             "content": _json(schema)}}
    for code in errors:
        responses[str(code)] = {"description": ERRORS[code],
                                "content": _json(_ref("Error"))}
    return responses


def _path_param(name):
    """A required string parameter of the path."""
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string"}}


def _body(schema):
    """A required JSON request body."""
    return {"required": True, "content": _json(schema)}


def _collection(name, plural, parent=None):
    """GET list + POST create, either top-level or under a parent object."""
    item = _ref(name)
    errors_get = (404, 503) if parent else (503,)
    # 404: the parent in the path or the owner a body names may not exist.
    finds_others = parent or name in ("Place", "Review")
    if finds_others:
        errors_post = (400, 404, 409, 413, 503)
    else:
        errors_post = (400, 409, 413, 503)
    ops = {
        "get": {"summary": "List {}".format(plural),
                "operationId": "list{}".format(name),
                "tags": [name],
                "responses": _responses((200, "The {}".format(plural)),
                                        {"type": "array", "items": item},
                                        *errors_get)},
        "post": {"summary": "Create a {}".format(name),
                 "operationId": "create{}".format(name),
                 "tags": [name],
                 "requestBody": _body(_ref("{}Create".format(name))),
                 "responses": _responses((201, "The new {}".format(name)),
                                         item, *errors_post)},
    }
    if parent:
        ops["parameters"] = [_path_param(parent)]
    return ops


def _item(name, param):
    """GET, PUT and DELETE of one object, found by the ``param`` id."""
    item = _ref(name)
    return {
        "parameters": [_path_param(param)],
        "get": {"summary": "Show a {}".format(name),
                "operationId": "get{}".format(name),
                "tags": [name],
                "responses": _responses((200, "The {}".format(name)), item,
                                        404, 503)},
        "put": {"summary": "Update a {}".format(name),
                "operationId": "update{}".format(name),
                "tags": [name],
                "requestBody": _body(_ref("{}Update".format(name))),
                "responses": _responses((200, "The updated {}".format(name)),
                                        item, 400, 404, 409, 413, 503)},
        "delete": {"summary": "Delete a {}".format(name),
                   "operationId": "delete{}".format(name),
                   "tags": [name],
                   "responses": _responses((200, "Deleted"), EMPTY_OBJECT,
                                           404, 503)},
    }


@lru_cache(maxsize=1)
def openapi_document():
    """The whole document (built once per process)."""
    schemas = {"Error": {"type": "object", "required": ["error"],
                         "properties": {"error": {"type": "string"}}}}
    for name in RESOURCES:
        schemas[name] = _output_schema(name)
        schemas[name + "Create"] = _input_schema(name, for_create=True)
        schemas[name + "Update"] = _input_schema(name, for_create=False)
    # null is accepted and means the same as an absent key
    # (views/places_search.py).
    id_list = {"type": "array", "items": {"type": "string"},
               "nullable": True}
    schemas["PlacesSearch"] = {
        "type": "object", "additionalProperties": True,
        "properties": {"states": id_list, "cities": id_list,
                       "amenities": id_list},
    }
    stats = {key: {"type": "integer", "minimum": 0} for key in
             ("amenities", "cities", "places", "reviews", "states", "users")}

    amenities = {"type": "array", "items": _ref("Amenity")}
    places = {"type": "array", "items": _ref("Place")}

    paths = {
        "/status": {"get": {
            "summary": "Is the API up", "operationId": "status",
            "tags": ["Service"],
            "responses": {"200": {"description": "Up", "content": _json({
                "type": "object", "required": ["status"],
                "properties": {"status": {"type": "string",
                                          "enum": ["OK"]}}})}}}},
        "/stats": {"get": {
            "summary": "How many objects of each kind", "operationId": "stats",
            "tags": ["Service"],
            "responses": _responses((200, "Counts"), {
                "type": "object", "properties": stats,
                "required": list(stats),
                "additionalProperties": False}, 503)}},
        "/openapi.json": {"get": {
            "summary": "This document", "operationId": "openapi",
            "tags": ["Service"],
            "responses": {"200": {"description": "OpenAPI 3 document",
                                  "content": _json({"type": "object"})}}}},
        "/states": _collection("State", "states"),
        "/states/{state_id}": _item("State", "state_id"),
        "/states/{state_id}/cities": _collection("City", "cities",
                                                 parent="state_id"),
        "/cities/{city_id}": _item("City", "city_id"),
        "/amenities": _collection("Amenity", "amenities"),
        "/amenities/{amenity_id}": _item("Amenity", "amenity_id"),
        "/users": _collection("User", "users"),
        "/users/{user_id}": _item("User", "user_id"),
        "/cities/{city_id}/places": _collection("Place", "places",
                                                parent="city_id"),
        "/places/{place_id}": _item("Place", "place_id"),
        "/places/{place_id}/reviews": _collection("Review", "reviews",
                                                  parent="place_id"),
        "/reviews/{review_id}": _item("Review", "review_id"),
        "/places/{place_id}/amenities": {
            "parameters": [_path_param("place_id")],
            "get": {"summary": "Amenities of a place",
                    "operationId": "listPlaceAmenities",
                    "tags": ["Place"],
                    "responses": _responses((200, "The amenities"), amenities,
                                            404, 503)}},
        "/places/{place_id}/amenities/{amenity_id}": {
            "parameters": [_path_param("place_id"),
                           _path_param("amenity_id")],
            "post": {"summary": "Link an amenity to a place",
                     "operationId": "linkAmenity",
                     "tags": ["Place"],
                     "responses": {
                         **_responses((201, "Linked"), _ref("Amenity"),
                                      404, 409, 503),
                         "200": {"description": "Already linked",
                                 "content": _json(_ref("Amenity"))}}},
            "delete": {"summary": "Unlink an amenity from a place",
                       "operationId": "unlinkAmenity", "tags": ["Place"],
                       "responses": _responses((200, "Unlinked"),
                                               EMPTY_OBJECT, 404, 503)}},
        "/places_search": {"post": {
            "summary": "Search places by states, cities and amenities",
            "operationId": "placesSearch", "tags": ["Place"],
            "requestBody": _body(_ref("PlacesSearch")),
            "responses": _responses((200, "Matching places"), places,
                                    400, 413, 503)}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "AirBnB clone RESTful API", "version": "1.0.0",
                 "description": "Every error is a JSON object"
                                " {\"error\": message}."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
