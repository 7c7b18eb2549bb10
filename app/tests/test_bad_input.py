"""Hostile and careless input: a 4xx JSON error, never a 500 or a trace.

A refused write writes nothing: every test that sends one reads storage back
afterwards and finds every object as it was, field by field.
"""
from urllib.parse import quote

import pytest

import models
from models.place import Place

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


def stored_objects():
    """Every stored object as a dict, password hashes and amenity links
    included, by ``<class>.<id>``.

    Read from storage after a close, not through the API: neither a cached
    answer nor an object changed in memory but never saved can hide a write
    or pass for one.
    """
    storage = models.storage
    storage.close()
    objects = {}
    for key, obj in storage.all().items():
        objects[key] = obj.to_dict(save_fs=1)
        if isinstance(obj, Place):
            objects[key]["linked amenities"] = sorted(
                amenity.id for amenity in obj.amenities)
    storage.close()
    return objects


def assert_nothing_written(before, key=None, body=()):
    """Storage holds what it held ``before``: first each field of ``body``
    on the object ``key``, for a message naming the field, then the rest."""
    after = stored_objects()
    if key is not None:
        for field in body:
            assert (after[key].get(field, "<unset>")
                    == before[key].get(field, "<unset>")), field
    assert after == before


@pytest.mark.parametrize("method, template", WRITE_ENDPOINTS)
@pytest.mark.parametrize("data, content_type", NOT_JSON_BODIES)
def test_bodies_that_are_not_json_objects(api, sample, method, template,
                                          data, content_type):
    """Anything but a JSON object is "Not a JSON", and writes nothing."""
    before = stored_objects()
    response = api.open(url_for(template, sample), method=method, data=data,
                        content_type=content_type)
    assert_json_error(response, 400)
    assert response.get_json() == {"error": "Not a JSON"}
    assert_nothing_written(before)


@pytest.mark.parametrize("method, template", WRITE_ENDPOINTS)
def test_missing_content_type(api, sample, method, template):
    """A JSON body without its content type is "Not a JSON", and writes
    nothing."""
    before = stored_objects()
    response = api.open(url_for(template, sample), method=method,
                        data='{"name": "x"}')
    assert_json_error(response, 400)
    assert response.get_json() == {"error": "Not a JSON"}
    assert_nothing_written(before)


@pytest.mark.parametrize("body", [
    {"name": 5}, {"name": None}, {"name": ["a"]}, {"name": {"a": 1}},
    {"name": True}, {"name": "x" * 129}, {"name": "\ud800"},
])
def test_wrong_types_and_sizes_on_create(api, body):
    """A name of the wrong type or size is a 400 naming it; no state."""
    before = stored_objects()
    response = api.post("/api/v1/states", json=body)
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith("name ")
    assert_nothing_written(before)


# One per resource; for a place and a user, valid fields around the bad
# one, since a create is all or nothing.
BAD_CREATES = [
    pytest.param("/api/v1/cities/{city}/places",
                 lambda s: {"user_id": s.alice.id, "name": "New",
                            "number_rooms": 3, "price_by_night": "x",
                            "max_guest": 2},
                 "price_by_night", id="place"),
    pytest.param("/api/v1/users",
                 lambda s: {"email": "new@example.com", "password": "pw",
                            "first_name": 5, "last_name": "New"},
                 "first_name", id="user"),
    pytest.param("/api/v1/states/{state}/cities",
                 lambda s: {"name": 5}, "name", id="city"),
    pytest.param("/api/v1/places/{place}/reviews",
                 lambda s: {"user_id": s.bob.id, "text": None},
                 "text", id="review"),
    pytest.param("/api/v1/amenities", lambda s: {"name": ["Sauna"]},
                 "name", id="amenity"),
]


@pytest.mark.parametrize("template, make_body, bad_field", BAD_CREATES)
def test_wrong_values_on_create(api, sample, template, make_body,
                                bad_field):
    """One bad field among good ones is a 400 naming it; nothing is made."""
    before = stored_objects()
    response = api.post(url_for(template, sample), json=make_body(sample))
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith(bad_field + " ")
    assert_nothing_written(before)


# What an update is aimed at: the URL and the storage key of a sample
# object, by the name of its sample attribute.
TARGETS = {
    "loft": ("/api/v1/places/", "Place"),
    "alice": ("/api/v1/users/", "User"),
    "california": ("/api/v1/states/", "State"),
    "san_francisco": ("/api/v1/cities/", "City"),
    "wifi": ("/api/v1/amenities/", "Amenity"),
    "review_loft": ("/api/v1/reviews/", "Review"),
}


def place_case(field, value, label=None):
    """A body that sets one bad value on the loft."""
    return pytest.param("loft", lambda s: {field: value}, field,
                        id="place-{}-{}".format(field, label or repr(value)))


BAD_UPDATES = [
    place_case("number_rooms", "3"), place_case("number_rooms", 2.5),
    place_case("number_rooms", True),
    place_case("number_rooms", 2**40, "2**40"),
    place_case("price_by_night", None), place_case("latitude", "north"),
    place_case("latitude", 91), place_case("longitude", -181),
    place_case("description", 7),
    place_case("description", "d" * 1025, "1025-chars"),
    # Valid fields before and after the bad one: an update is all or
    # nothing, so none of them may be applied either.
    pytest.param("loft",
                 lambda s: {"name": "Renamed", "description": "New",
                            "number_rooms": "3", "max_guest": 9},
                 "number_rooms", id="place-good-bad-good"),
    pytest.param("loft",
                 lambda s: {"price_by_night": 99, "latitude": 10,
                            "user_id": s.bob.id, "city_id": s.phoenix.id,
                            "longitude": -181},
                 "longitude", id="place-good-ignored-bad"),
    pytest.param("alice",
                 lambda s: {"first_name": "Zed", "password": "new-secret",
                            "last_name": 5},
                 "last_name", id="user-password-then-bad"),
    pytest.param("alice", lambda s: {"password": "p" * 129}, "password",
                 id="user-password-too-long"),
    pytest.param("california", lambda s: {"name": None}, "name",
                 id="state"),
    pytest.param("san_francisco",
                 lambda s: {"state_id": s.arizona.id, "name": 5},
                 "name", id="city"),
    pytest.param("wifi", lambda s: {"name": "x" * 129}, "name",
                 id="amenity"),
    pytest.param("review_loft",
                 lambda s: {"user_id": s.alice.id, "text": ["a"]},
                 "text", id="review"),
]


@pytest.mark.parametrize("target, make_body, bad_field", BAD_UPDATES)
def test_wrong_values_on_update(api, sample, target, make_body, bad_field):
    """A bad value is a 400 naming the field; no field of the body, nor
    anything else, changes."""
    prefix, class_name = TARGETS[target]
    object_id = getattr(sample, target).id
    body = make_body(sample)
    before = stored_objects()
    response = api.put(prefix + object_id, json=body)
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith(bad_field + " ")
    assert_nothing_written(before, class_name + "." + object_id, body)


def test_large_numbers_within_range_are_accepted(api, sample):
    """The limits themselves are valid values."""
    response = api.put("/api/v1/places/" + sample.loft.id,
                       json={"price_by_night": 2**31 - 1, "latitude": -90,
                             "longitude": 180.0})
    assert response.status_code == 200
    assert response.get_json()["price_by_night"] == 2**31 - 1
    stored = stored_objects()["Place." + sample.loft.id]
    assert (stored["price_by_night"], stored["latitude"],
            stored["longitude"]) == (2**31 - 1, -90, 180)


@pytest.mark.parametrize("user_id", [5, None, ["x"], {"id": "x"}])
def test_user_id_of_wrong_type(api, sample, user_id):
    """A user_id that is not a string is a 400; no place is made."""
    url = "/api/v1/cities/{}/places".format(sample.san_francisco.id)
    before = stored_objects()
    response = api.post(url, json={"user_id": user_id, "name": "x"})
    assert_json_error(response, 400)
    assert response.get_json()["error"].startswith("user_id ")
    assert_nothing_written(before)


@pytest.mark.parametrize("path", [
    "/api/v1/states/" + "a" * 5000,
    "/api/v1/places/" + "b" * 61 + "/reviews",
    "/api/v1/places/{place}/amenities/" + "c" * 300,
    "/api/v1/users/%00",
    "/api/v1/states/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/cities/' OR 1=1 --",
])
def test_unknown_or_absurd_ids_are_404(api, sample, path):
    """Overlong, odd or injected ids are a plain 404; a DELETE of one
    unlinks nothing."""
    method = "DELETE" if "/amenities/" in path else "GET"
    before = stored_objects()
    assert_json_error(api.open(url_for(path, sample), method=method), 404)
    assert_nothing_written(before)


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


@pytest.mark.parametrize("method, template", [
    ("POST", "/api/v1/states"), ("PUT", "/api/v1/places/{place}"),
])
def test_body_over_the_limit_is_413_json(api, sample, method, template):
    """A body over 1 MiB is a JSON 413, and writes nothing."""
    body = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    before = stored_objects()
    response = api.open(url_for(template, sample), method=method, data=body,
                        content_type="application/json")
    assert_json_error(response, 413)
    assert_nothing_written(before)


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
