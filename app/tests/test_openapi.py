"""The OpenAPI document describes exactly the routes the API serves."""
import re

from api.v1.app import app as api_app


def documented_operations(document):
    """(method, path) of every operation the document describes."""
    operations = set()
    for path, item in document["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "delete"):
                operations.add((method.upper(), "/api/v1" + path))
    return operations


def served_operations():
    """(method, path) of every route the API application serves."""
    operations = set()
    for rule in api_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((method, path))
    return operations


def test_document_is_served_as_openapi_3(api):
    """/openapi.json is an OpenAPI 3 document for /api/v1."""
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/api/v1"}]


def test_every_route_is_documented_and_nothing_else(api):
    """The document and the routes list the same operations."""
    document = api.get("/api/v1/openapi.json").get_json()
    assert documented_operations(document) == served_operations()


def test_every_reference_resolves(api):
    """Every $ref names a schema the document defines."""
    document = api.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in document["components"]["schemas"], name


def test_documented_required_keys_match_the_api(api, sample):
    """What the document says is required on POST is what the API asks for."""
    document = api.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["StateCreate"]["required"] == ["name"]
    assert schemas["UserCreate"]["required"] == ["email", "password"]
    assert schemas["PlaceCreate"]["required"] == ["user_id", "name"]
    assert schemas["ReviewCreate"]["required"] == ["user_id", "text"]
    assert "password" not in schemas["User"]["properties"]
    response = api.post("/api/v1/users", json={"password": "x"})
    assert response.get_json() == {"error": "Missing email"}


def test_status_codes_of_errors_are_documented(api, sample):
    """The 404 and 400 the API answers are documented."""
    document = api.get("/api/v1/openapi.json").get_json()
    item = document["paths"]["/states/{state_id}"]
    assert api.get("/api/v1/states/nope").status_code == 404
    assert "404" in item["get"]["responses"]
    assert api.put("/api/v1/states/" + sample.nevada.id, data="x",
                   content_type="application/json").status_code == 400
    assert "400" in item["put"]["responses"]
