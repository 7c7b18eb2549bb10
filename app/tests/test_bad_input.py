"""Hostile and careless input: a 4xx JSON error, never a 500 or a trace."""
from urllib.parse import quote

import pytest

WRITE_ENDPOINTS = [
    ("POST", "/api/v1/states"),
    ("POST", "/api/v1/amenities"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/states/{state}/cities"),
    ("POST", "/api/v1/cities/{city}/places"),
    ("POST", "/api/v1/places/{place}/reviews"),
    ("POST", "/api/v1/places_search"),
    ("PUT", "/api/v1/states/{state}"),
    ("PUT", "/api/v1/cities/{city}"),
    ("PUT", "/api/v1/amenities/{amenity}"),
    ("PUT", "/api/v1/users/{user}"),
    ("PUT", "/api/v1/places/{place}"),
    ("PUT", "/api/v1/reviews/{review}"),
]

NOT_JSON_BODIES = [
    ("not json", "application/json"),
    ("{\"name\": ", "application/json"),
    ("[1, 2]", "application/json"),
    ("null", "application/json"),
    ("42", "application/json"),
    ("\"text\"", "application/json"),
    ("", "application/json"),
    ("{\"name\": \"x\"}", "text/plain"),
    ("name=x", "application/x-www-form-urlencoded"),
    (b"\xff\xfe{", "application/json"),
]


def url_for(template, sample):
    """A URL template with the ids of the sample's objects filled in."""
    return template.format(state=sample.california.id,
                           city=sample.san_francisco.id,
                           place=sample.loft.id, amenity=sample.wifi.id,
                           user=sample.alice.id,
                           review=sample.review_loft.id)


def assert_json_error(response, status):
    """A JSON {"error": <text>} with this status and no trace."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.get_json()
    assert set(body) == {"error"} and isinstance(body["error"], str)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method, template", WRITE_ENDPOINTS)
@pytest.mark.parametrize("data, content_type", NOT_JSON_BODIES)
def test_bodies_that_are_not_json_objects(api, sample, method, template,
                                          data, content_type):
    """Anything but a JSON object is "Not a JSON"."""
    response = api.open(url_for(template, sample), method=method, data=data,
                        content_type=content_type)
    assert_json_error(response, 400)
    assert response.get_json() == {"error": "Not a JSON"}


@pytest.mark.parametrize("method, template", WRITE_ENDPOINTS)
def test_missing_content_type(api, sample, method, template):
    """A JSON body without its content type is "Not a JSON"."""
    response = api.open(url_for(template, sample), method=method,
                        data='{"name": "x"}')
    assert response.get_json() == {"error": "Not a JSON"}


@pytest.mark.parametrize("body", [
    {"name": 5}, {"name": None}, {"name": ["a"]}, {"name": {"a": 1}},
    {"name": True}, {"name": "x" * 129}, {"name": "\ud800"},
])
def test_wrong_types_and_sizes_on_create(api, body):
    """A name of the wrong type or size is a 400 naming it."""
    response = api.post("/api/v1/states", json=body)
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith("name ")


@pytest.mark.parametrize("field, value", [
    ("number_rooms", "3"), ("number_rooms", 2.5), ("number_rooms", True),
    ("number_rooms", 2**40), ("price_by_night", None), ("latitude", "north"),
    ("latitude", 91), ("longitude", -181), ("description", 7),
    ("description", "d" * 1025),
])
def test_wrong_place_values_on_update(api, sample, field, value):
    """A bad value is a 400 naming the field; nothing changes."""
    response = api.put("/api/v1/places/" + sample.loft.id, json={field: value})
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith(field + " ")
    # and nothing was changed
    place = api.get("/api/v1/places/" + sample.loft.id).get_json()
    assert place["number_rooms"] == 2


def test_large_numbers_within_range_are_accepted(api, sample):
    """The limits themselves are valid values."""
    response = api.put("/api/v1/places/" + sample.loft.id,
                       json={"price_by_night": 2**31 - 1, "latitude": -90,
                             "longitude": 180.0})
    assert response.status_code == 200
    assert response.get_json()["price_by_night"] == 2**31 - 1


@pytest.mark.parametrize("user_id", [5, None, ["x"], {"id": "x"}])
def test_user_id_of_wrong_type(api, sample, user_id):
    """A user_id that is not a string is a 400."""
    url = "/api/v1/cities/{}/places".format(sample.san_francisco.id)
    response = api.post(url, json={"user_id": user_id, "name": "x"})
    assert_json_error(response, 400)


@pytest.mark.parametrize("path", [
    "/api/v1/states/" + "a" * 5000,
    "/api/v1/places/" + "b" * 61 + "/reviews",
    "/api/v1/places/{place}/amenities/" + "c" * 300,
    "/api/v1/users/%00",
    "/api/v1/states/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/cities/' OR 1=1 --",
])
def test_unknown_or_absurd_ids_are_404(api, sample, path):
    """Overlong, odd or injected ids are a plain 404."""
    method = "DELETE" if "/amenities/" in path else "GET"
    assert_json_error(api.open(url_for(path, sample), method=method), 404)


@pytest.mark.parametrize("mangle", [str.upper, lambda text: text + " "],
                         ids=["upper-case", "trailing-space"])
def test_ids_match_exactly_on_every_engine(api, sample, mangle):
    """Ids never match without case or with a trailing space."""
    state_id = mangle(sample.california.id)
    assert_json_error(api.get("/api/v1/states/" + quote(state_id)), 404)
    search = api.post("/api/v1/places_search", json={"states": [state_id]})
    assert search.status_code == 200 and search.get_json() == []


def test_long_ids_in_places_search_are_ignored(api, sample):
    """An overlong id in a search finds nothing."""
    response = api.post("/api/v1/places_search",
                        json={"states": ["x" * 10000]})
    assert response.status_code == 200 and response.get_json() == []


def test_body_over_the_limit_is_413_json(api):
    """A body over 1 MiB is a JSON 413."""
    body = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = api.post("/api/v1/states", data=body,
                        content_type="application/json")
    assert_json_error(response, 413)


def test_unicode_names_round_trip(api):
    """Accents, symbols and emoji come back as sent."""
    name = "Île-de-France ✈ 東京 🏠"
    response = api.post("/api/v1/states", json={"name": name})
    assert response.status_code == 201
    state_id = response.get_json()["id"]
    assert api.get("/api/v1/states/" + state_id).get_json()["name"] == name


def test_internal_errors_are_json_without_trace(api, monkeypatch):
    """A bug is a JSON 500 that leaks no detail."""
    from api.v1.views import index

    def broken(_cls):
        """A storage count that fails."""
        raise RuntimeError("secret detail")
    monkeypatch.setattr(index.storage, "count", broken)
    response = api.get("/api/v1/stats")
    assert_json_error(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
