"""The REST API endpoint by endpoint, against spec §4.3 and §9 checks 14-24.

Runs on whichever engine the session uses (see conftest): the same assertions
hold for FileStorage and for DBStorage on MariaDB.
"""
import pytest

ERROR_JSON = "application/json"


def assert_error(response, status, message):
    """The response is a JSON error with this status and message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith(ERROR_JSON)
    assert response.get_json() == {"error": message}


def ids(response):
    """The ids of the objects a listing response holds."""
    return {obj["id"] for obj in response.get_json()}


# -- service routes -----------------------------------------------------------

def test_status_is_ok_json(api):
    """/status answers {"status": "OK"} as JSON."""
    response = api.get("/api/v1/status")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"status": "OK"}


@pytest.mark.parametrize("path", ["/api/v1/status/", "/api/v1/stats/"])
def test_trailing_slash_is_accepted_without_redirect(api, path):
    """A trailing slash serves the same route, not a redirect."""
    assert api.get(path).status_code == 200


def test_stats_counts_every_kind(api, sample):
    """/stats counts the objects of each class."""
    assert api.get("/api/v1/stats").get_json() == {
        "amenities": 3, "cities": 4, "places": 3, "reviews": 2,
        "states": 3, "users": 2}


def test_stats_on_empty_storage(api):
    """/stats says 0 for every class of an empty storage."""
    assert set(api.get("/api/v1/stats").get_json().values()) == {0}


@pytest.mark.parametrize("path", ["/api/v1/nop", "/api/v1/states/x/y/z",
                                  "/nowhere"])
def test_unknown_url_is_json_404(api, path):
    """An unknown URL is a JSON 404, not an HTML page."""
    assert_error(api.get(path), 404, "Not found")


def test_wrong_method_is_json_405_with_allow(api):
    """A wrong method is a JSON 405 naming the allowed ones."""
    response = api.delete("/api/v1/status")
    assert_error(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"]


def test_cors_allows_any_origin_on_api(api):
    """The API answers any origin with a "*" CORS header."""
    response = api.get("/api/v1/status",
                       headers={"Origin": "http://example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_for_json_post(api):
    """A browser may POST JSON from another origin."""
    response = api.options("/api/v1/places_search", headers={
        "Origin": "http://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- states -------------------------------------------------------------------

def test_state_lifecycle(api):
    """Create, update, show, list and delete a State."""
    response = api.post("/api/v1/states", json={"name": "California"})
    assert response.status_code == 201
    state = response.get_json()
    assert state["__class__"] == "State" and state["name"] == "California"
    assert {"id", "created_at", "updated_at"} <= set(state)

    response = api.put("/api/v1/states/" + state["id"],
                       json={"name": "Golden State", "id": "nope",
                             "created_at": "2000-01-01T00:00:00.000000"})
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["name"] == "Golden State"
    assert updated["id"] == state["id"]
    assert updated["created_at"] == state["created_at"]
    assert updated["updated_at"] >= state["updated_at"]

    shown = api.get("/api/v1/states/" + state["id"]).get_json()
    assert shown["name"] == "Golden State"
    assert state["id"] in ids(api.get("/api/v1/states"))

    response = api.delete("/api/v1/states/" + state["id"])
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(api.get("/api/v1/states/" + state["id"]), 404, "Not found")
    assert_error(api.delete("/api/v1/states/" + state["id"]), 404, "Not found")


def test_states_list_is_sorted_by_name(api, sample):
    """/states lists the states by name."""
    names = [s["name"] for s in api.get("/api/v1/states").get_json()]
    assert names == ["Arizona", "California", "Nevada"]


def test_post_ignores_client_ids_and_unknown_keys(api):
    """A client cannot choose ids or classes, or add keys."""
    response = api.post("/api/v1/states", json={
        "name": "Utah", "id": "chosen-by-client", "__class__": "User",
        "color": "red"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] != "chosen-by-client"
    assert body["__class__"] == "State"
    assert "color" not in body


def test_created_object_survives_a_fresh_read(api, storage):
    """A created object is stored, not only in memory."""
    response = api.post("/api/v1/states", json={"name": "Ohio"})
    state_id = response.get_json()["id"]
    storage.close()
    assert api.get("/api/v1/states/" + state_id).get_json()["name"] == "Ohio"


# -- cities -------------------------------------------------------------------

def test_cities_of_a_state(api, sample):
    """A state's cities, by name; none for a state without."""
    url = "/api/v1/states/{}/cities"
    response = api.get(url.format(sample.california.id))
    assert response.status_code == 200
    assert ([c["name"] for c in response.get_json()]
            == ["Los Angeles", "San Francisco"])
    assert api.get(url.format(sample.nevada.id)).get_json() == []


@pytest.mark.parametrize("path", ["/api/v1/states/not_an_id/cities",
                                  "/api/v1/states/not_an_id/cities/"])
def test_cities_of_unknown_state_is_404(api, path):
    """The cities of an unknown state are a 404."""
    assert_error(api.get(path), 404, "Not found")


def test_city_lifecycle(api, sample):
    """Create, update, show and delete a City; it stays in its state."""
    response = api.post("/api/v1/states/{}/cities".format(sample.nevada.id),
                        json={"name": "Reno",
                              "state_id": sample.california.id})
    assert response.status_code == 201
    city = response.get_json()
    assert city["state_id"] == sample.nevada.id and city["__class__"] == "City"

    response = api.put("/api/v1/cities/" + city["id"],
                       json={"name": "Reno NV",
                             "state_id": sample.california.id})
    assert response.status_code == 200
    assert response.get_json()["state_id"] == sample.nevada.id
    assert response.get_json()["name"] == "Reno NV"
    assert api.get("/api/v1/cities/{}/".format(city["id"])).status_code == 200
    assert api.delete("/api/v1/cities/" + city["id"]).get_json() == {}
    assert_error(api.get("/api/v1/cities/" + city["id"]), 404, "Not found")


def test_post_city_checks_state_before_body(api):
    """An unknown state is a 404 even with a bad body."""
    assert_error(api.post("/api/v1/states/nope/cities", data="not json",
                          content_type="application/json"), 404, "Not found")


def test_post_city_without_name(api, sample):
    """A city needs a name."""
    assert_error(api.post("/api/v1/states/{}/cities".format(sample.nevada.id),
                          json={"foo": 1}), 400, "Missing name")


def test_deleting_a_state_deletes_its_cities_and_places(api, sample):
    """Deleting a state takes its cities, places and reviews."""
    response = api.delete("/api/v1/states/" + sample.california.id)
    assert response.status_code == 200
    assert_error(api.get("/api/v1/cities/" + sample.san_francisco.id),
                 404, "Not found")
    assert_error(api.get("/api/v1/places/" + sample.loft.id),
                 404, "Not found")
    assert_error(api.get("/api/v1/reviews/" + sample.review_loft.id),
                 404, "Not found")
    stats = api.get("/api/v1/stats").get_json()
    assert (stats["cities"], stats["places"], stats["reviews"]) == (2, 1, 1)


# -- amenities ----------------------------------------------------------------

def test_amenity_lifecycle(api):
    """Create, update, list and delete an Amenity."""
    response = api.post("/api/v1/amenities", json={"name": "Sauna"})
    assert response.status_code == 201
    amenity = response.get_json()
    assert amenity["__class__"] == "Amenity"
    response = api.put("/api/v1/amenities/{}/".format(amenity["id"]),
                       json={"name": "Steam"})
    assert response.get_json()["name"] == "Steam"
    assert amenity["id"] in ids(api.get("/api/v1/amenities"))
    assert api.delete("/api/v1/amenities/" + amenity["id"]).get_json() == {}
    assert_error(api.get("/api/v1/amenities/" + amenity["id"]),
                 404, "Not found")


def test_deleting_an_amenity_unlinks_it(api, sample):
    """A deleted amenity leaves the places it was linked to."""
    assert api.delete("/api/v1/amenities/" + sample.wifi.id).status_code == 200
    url = "/api/v1/places/{}/amenities".format(sample.loft.id)
    names = {a["name"] for a in api.get(url).get_json()}
    assert names == {"Kitchen"}


# -- users --------------------------------------------------------------------

def test_user_lifecycle_never_shows_password(api):
    """A user's password is accepted but never shown."""
    response = api.post("/api/v1/users", json={
        "email": "carol@example.com", "password": "s3cret",
        "first_name": "Carol"})
    assert response.status_code == 201
    user = response.get_json()
    assert user["__class__"] == "User" and user["email"] == "carol@example.com"
    assert "password" not in user

    response = api.put("/api/v1/users/" + user["id"], json={
        "email": "other@example.com", "last_name": "Danvers",
        "password": "n3w"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "carol@example.com"
    assert response.get_json()["last_name"] == "Danvers"
    assert "password" not in response.get_json()

    for listed in api.get("/api/v1/users").get_json():
        assert "password" not in listed
    shown = api.get("/api/v1/users/" + user["id"])
    assert "s3cret" not in shown.get_data(as_text=True)
    assert api.delete("/api/v1/users/" + user["id"]).get_json() == {}


@pytest.mark.parametrize("body, message", [
    ({"password": "x"}, "Missing email"),
    ({"email": "a@b.c"}, "Missing password"),
])
def test_post_user_missing_keys(api, body, message):
    """A user needs an email and a password."""
    assert_error(api.post("/api/v1/users", json=body), 400, message)


def test_deleting_a_user_deletes_their_places_and_reviews(api, sample):
    """Deleting a user takes their places and reviews."""
    assert api.delete("/api/v1/users/" + sample.bob.id).status_code == 200
    assert_error(api.get("/api/v1/places/" + sample.villa.id),
                 404, "Not found")
    assert_error(api.get("/api/v1/reviews/" + sample.review_loft.id),
                 404, "Not found")
    assert api.get("/api/v1/places/" + sample.loft.id).status_code == 200


# -- places -------------------------------------------------------------------

def test_places_of_a_city(api, sample):
    """A city's places; an unknown city is a 404."""
    response = api.get(
        "/api/v1/cities/{}/places".format(sample.san_francisco.id))
    assert [p["name"] for p in response.get_json()] == ["Loft"]
    assert_error(api.get("/api/v1/cities/nope/places"), 404, "Not found")


def test_place_lifecycle(api, sample):
    """Create, update and delete a Place; owner and city stay."""
    url = "/api/v1/cities/{}/places".format(sample.tucson.id)
    response = api.post(url, json={"user_id": sample.bob.id, "name": "Adobe",
                                   "number_rooms": 2, "price_by_night": 75,
                                   "latitude": 32.2, "longitude": -110.9})
    assert response.status_code == 201
    place = response.get_json()
    assert place["city_id"] == sample.tucson.id
    assert place["user_id"] == sample.bob.id
    assert place["number_rooms"] == 2 and place["latitude"] == 32.2

    response = api.put("/api/v1/places/" + place["id"], json={
        "name": "Adobe House", "user_id": sample.alice.id,
        "city_id": sample.phoenix.id, "max_guest": 3})
    body = response.get_json()
    assert response.status_code == 200
    assert body["name"] == "Adobe House" and body["max_guest"] == 3
    assert body["user_id"] == sample.bob.id
    assert body["city_id"] == sample.tucson.id
    assert api.delete("/api/v1/places/" + place["id"]).get_json() == {}
    assert_error(api.get("/api/v1/places/" + place["id"]), 404, "Not found")


def test_post_place_errors_in_spec_order(api, sample):
    """POST place checks city, JSON, user_id, user, name in turn."""
    url = "/api/v1/cities/{}/places".format(sample.tucson.id)
    assert_error(api.post("/api/v1/cities/nope/places", json={}),
                 404, "Not found")
    assert_error(api.post(url, data="nope", content_type="application/json"),
                 400, "Not a JSON")
    assert_error(api.post(url, json={"name": "x"}), 400, "Missing user_id")
    assert_error(api.post(url, json={"user_id": "ghost", "name": "x"}),
                 404, "Not found")
    assert_error(api.post(url, json={"user_id": sample.bob.id}),
                 400, "Missing name")


# -- reviews ------------------------------------------------------------------

def test_review_lifecycle(api, sample):
    """Create, update and delete a Review; author and place stay."""
    url = "/api/v1/places/{}/reviews".format(sample.villa.id)
    response = api.post(url, json={"user_id": sample.alice.id,
                                   "text": "Huge pool"})
    assert response.status_code == 201
    review = response.get_json()
    assert review["place_id"] == sample.villa.id
    assert review["__class__"] == "Review"
    assert review["id"] in ids(api.get(url))

    response = api.put("/api/v1/reviews/" + review["id"], json={
        "text": "Huge pool!", "place_id": sample.loft.id,
        "user_id": sample.bob.id})
    assert response.get_json()["text"] == "Huge pool!"
    assert response.get_json()["place_id"] == sample.villa.id
    assert response.get_json()["user_id"] == sample.alice.id
    assert api.delete("/api/v1/reviews/" + review["id"]).get_json() == {}
    assert_error(api.get("/api/v1/reviews/" + review["id"]), 404, "Not found")


def test_post_review_errors_in_spec_order(api, sample):
    """POST review checks place, JSON, user_id, user, text in turn."""
    url = "/api/v1/places/{}/reviews".format(sample.villa.id)
    assert_error(api.post("/api/v1/places/nope/reviews", json={"text": "x"}),
                 404, "Not found")
    assert_error(api.post(url, data="[", content_type="application/json"),
                 400, "Not a JSON")
    assert_error(api.post(url, json={"text": "x"}), 400, "Missing user_id")
    assert_error(api.post(url, json={"user_id": "ghost", "text": "x"}),
                 404, "Not found")
    assert_error(api.post(url, json={"user_id": sample.bob.id}),
                 400, "Missing text")
    assert_error(api.get("/api/v1/places/nope/reviews"), 404, "Not found")


# -- place <-> amenity links --------------------------------------------------

def test_place_amenity_links(api, sample):
    """Link (201, then 200), list and unlink a place's amenity."""
    base = "/api/v1/places/{}/amenities".format(sample.cabin.id)
    assert [a["name"] for a in api.get(base).get_json()] == ["Kitchen"]

    response = api.post("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 201
    assert response.get_json()["name"] == "Pool"
    response = api.post("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 200
    assert response.get_json()["id"] == sample.pool.id
    assert {a["name"] for a in api.get(base).get_json()} == {"Kitchen", "Pool"}

    response = api.delete("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(api.delete("{}/{}".format(base, sample.pool.id)),
                 404, "Not found")
    assert [a["name"] for a in api.get(base).get_json()] == ["Kitchen"]


def test_place_amenity_unknown_objects(api, sample):
    """Links with an unknown place or amenity are 404s."""
    base = "/api/v1/places/{}/amenities".format(sample.cabin.id)
    assert_error(api.get("/api/v1/places/nope/amenities"), 404, "Not found")
    unknown_place = "/api/v1/places/nope/amenities/" + sample.pool.id
    assert_error(api.post(unknown_place), 404, "Not found")
    assert_error(api.post(base + "/nope"), 404, "Not found")
    assert_error(api.delete(unknown_place), 404, "Not found")
    assert_error(api.delete(base + "/nope"), 404, "Not found")


# -- places_search ------------------------------------------------------------

def search(api, body):
    """The names of the places POST /places_search finds for ``body``."""
    response = api.post("/api/v1/places_search/", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {place["name"] for place in response.get_json()}


def test_search_empty_body_returns_every_place(api, sample):
    """Nothing listed, or empty lists: every place."""
    assert search(api, {}) == {"Loft", "Villa", "Cabin"}
    assert (search(api, {"states": [], "cities": [], "amenities": []})
            == {"Loft", "Villa", "Cabin"})


def test_search_by_state(api, sample):
    """The places of a state's cities."""
    assert search(api, {"states": [sample.california.id]}) == {"Loft", "Villa"}


def test_search_states_and_cities_are_a_union_without_duplicates(api, sample):
    """States and cities add up; a place is listed once."""
    response = api.post("/api/v1/places_search", json={
        "states": [sample.california.id],
        "cities": [sample.phoenix.id, sample.san_francisco.id]})
    names = [p["name"] for p in response.get_json()]
    assert sorted(names) == ["Cabin", "Loft", "Villa"]


def test_search_amenities_keep_places_having_all_of_them(api, sample):
    """Amenities filter: a place must have every one."""
    assert search(api, {"amenities": [sample.wifi.id]}) == {"Loft", "Villa"}
    assert search(api, {"amenities": [sample.wifi.id,
                                      sample.kitchen.id]}) == {"Loft"}
    assert search(api, {"states": [sample.arizona.id],
                        "amenities": [sample.kitchen.id]}) == {"Cabin"}


def test_search_unknown_ids(api, sample):
    """Unknown states or cities are skipped; an unknown amenity finds none."""
    assert search(api, {"states": ["nope"]}) == set()
    assert search(api, {"cities": ["nope"],
                        "states": [sample.arizona.id]}) == {"Cabin"}
    assert search(api, {"amenities": [sample.wifi.id, "nope"]}) == set()


def test_search_results_are_plain_place_dicts(api, sample):
    """Results are places' dicts, without relationship objects."""
    for place in api.post("/api/v1/places_search", json={}).get_json():
        assert place["__class__"] == "Place"
        assert "amenities" not in place


@pytest.mark.parametrize("body", [{"states": "abc"}, {"cities": [1, 2]},
                                  {"amenities": {"a": 1}}, {"states": [None]}])
def test_search_wrong_types_are_400(api, body):
    """Anything but a list of id strings is a 400."""
    response = api.post("/api/v1/places_search", json=body)
    assert response.status_code == 400
    assert "must be a list of ids" in response.get_json()["error"]
