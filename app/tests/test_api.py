"""The REST API, endpoint by endpoint, against the spec (§4.3, §9 checks 14-24).

Runs on whichever engine the session uses (see conftest): the same assertions
hold for FileStorage and for DBStorage on MariaDB.
"""
import pytest

ERROR_JSON = "application/json"


def assert_error(response, status, message):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith(ERROR_JSON)
    assert response.get_json() == {"error": message}


def ids(response):
    return {obj["id"] for obj in response.get_json()}


# -- service routes ------------------------------------------------------------

def test_status_is_ok_json(api):
    response = api.get("/api/v1/status")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"status": "OK"}


@pytest.mark.parametrize("path", ["/api/v1/status/", "/api/v1/stats/"])
def test_trailing_slash_is_accepted_without_redirect(api, path):
    assert api.get(path).status_code == 200


def test_stats_counts_every_kind(api, sample):
    assert api.get("/api/v1/stats").get_json() == {
        "amenities": 3, "cities": 4, "places": 3, "reviews": 2,
        "states": 3, "users": 2}


def test_stats_on_empty_storage(api):
    assert set(api.get("/api/v1/stats").get_json().values()) == {0}


@pytest.mark.parametrize("path", ["/api/v1/nop", "/api/v1/states/x/y/z", "/nowhere"])
def test_unknown_url_is_json_404(api, path):
    assert_error(api.get(path), 404, "Not found")


def test_wrong_method_is_json_405_with_allow(api):
    response = api.delete("/api/v1/status")
    assert_error(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"]


def test_cors_allows_any_origin_on_api(api):
    response = api.get("/api/v1/status", headers={"Origin": "http://example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_for_json_post(api):
    response = api.options("/api/v1/places_search", headers={
        "Origin": "http://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- states ---------------------------------------------------------------------

def test_state_lifecycle(api):
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

    assert api.get("/api/v1/states/" + state["id"]).get_json()["name"] == "Golden State"
    assert state["id"] in ids(api.get("/api/v1/states"))

    response = api.delete("/api/v1/states/" + state["id"])
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(api.get("/api/v1/states/" + state["id"]), 404, "Not found")
    assert_error(api.delete("/api/v1/states/" + state["id"]), 404, "Not found")


def test_states_list_is_sorted_by_name(api, sample):
    names = [s["name"] for s in api.get("/api/v1/states").get_json()]
    assert names == ["Arizona", "California", "Nevada"]


def test_post_ignores_client_ids_and_unknown_keys(api):
    response = api.post("/api/v1/states", json={
        "name": "Utah", "id": "chosen-by-client", "__class__": "User", "color": "red"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] != "chosen-by-client"
    assert body["__class__"] == "State"
    assert "color" not in body


def test_created_object_survives_a_fresh_read(api, storage):
    state_id = api.post("/api/v1/states", json={"name": "Ohio"}).get_json()["id"]
    storage.close()
    assert api.get("/api/v1/states/" + state_id).get_json()["name"] == "Ohio"


# -- cities ---------------------------------------------------------------------

def test_cities_of_a_state(api, sample):
    response = api.get("/api/v1/states/{}/cities".format(sample.california.id))
    assert response.status_code == 200
    assert [c["name"] for c in response.get_json()] == ["Los Angeles", "San Francisco"]
    assert api.get("/api/v1/states/{}/cities".format(sample.nevada.id)).get_json() == []


@pytest.mark.parametrize("path", ["/api/v1/states/not_an_id/cities",
                                  "/api/v1/states/not_an_id/cities/"])
def test_cities_of_unknown_state_is_404(api, path):
    assert_error(api.get(path), 404, "Not found")


def test_city_lifecycle(api, sample):
    response = api.post("/api/v1/states/{}/cities".format(sample.nevada.id),
                        json={"name": "Reno", "state_id": sample.california.id})
    assert response.status_code == 201
    city = response.get_json()
    assert city["state_id"] == sample.nevada.id and city["__class__"] == "City"

    response = api.put("/api/v1/cities/" + city["id"],
                       json={"name": "Reno NV", "state_id": sample.california.id})
    assert response.status_code == 200
    assert response.get_json()["state_id"] == sample.nevada.id
    assert response.get_json()["name"] == "Reno NV"
    assert api.get("/api/v1/cities/{}/".format(city["id"])).status_code == 200
    assert api.delete("/api/v1/cities/" + city["id"]).get_json() == {}
    assert_error(api.get("/api/v1/cities/" + city["id"]), 404, "Not found")


def test_post_city_checks_state_before_body(api):
    assert_error(api.post("/api/v1/states/nope/cities", data="not json",
                          content_type="application/json"), 404, "Not found")


def test_post_city_without_name(api, sample):
    assert_error(api.post("/api/v1/states/{}/cities".format(sample.nevada.id),
                          json={"foo": 1}), 400, "Missing name")


def test_deleting_a_state_deletes_its_cities_and_places(api, sample):
    assert api.delete("/api/v1/states/" + sample.california.id).status_code == 200
    assert_error(api.get("/api/v1/cities/" + sample.san_francisco.id), 404, "Not found")
    assert_error(api.get("/api/v1/places/" + sample.loft.id), 404, "Not found")
    assert_error(api.get("/api/v1/reviews/" + sample.review_loft.id), 404, "Not found")
    stats = api.get("/api/v1/stats").get_json()
    assert stats["cities"] == 2 and stats["places"] == 1 and stats["reviews"] == 1


# -- amenities --------------------------------------------------------------------

def test_amenity_lifecycle(api):
    response = api.post("/api/v1/amenities", json={"name": "Sauna"})
    assert response.status_code == 201
    amenity = response.get_json()
    assert amenity["__class__"] == "Amenity"
    response = api.put("/api/v1/amenities/{}/".format(amenity["id"]), json={"name": "Steam"})
    assert response.get_json()["name"] == "Steam"
    assert amenity["id"] in ids(api.get("/api/v1/amenities"))
    assert api.delete("/api/v1/amenities/" + amenity["id"]).get_json() == {}
    assert_error(api.get("/api/v1/amenities/" + amenity["id"]), 404, "Not found")


def test_deleting_an_amenity_unlinks_it(api, sample):
    assert api.delete("/api/v1/amenities/" + sample.wifi.id).status_code == 200
    names = {a["name"] for a in
             api.get("/api/v1/places/{}/amenities".format(sample.loft.id)).get_json()}
    assert names == {"Kitchen"}


# -- users --------------------------------------------------------------------------

def test_user_lifecycle_never_shows_password(api):
    response = api.post("/api/v1/users", json={
        "email": "carol@example.com", "password": "s3cret", "first_name": "Carol"})
    assert response.status_code == 201
    user = response.get_json()
    assert user["__class__"] == "User" and user["email"] == "carol@example.com"
    assert "password" not in user

    response = api.put("/api/v1/users/" + user["id"], json={
        "email": "other@example.com", "last_name": "Danvers", "password": "n3w"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "carol@example.com"
    assert response.get_json()["last_name"] == "Danvers"
    assert "password" not in response.get_json()

    for listed in api.get("/api/v1/users").get_json():
        assert "password" not in listed
    assert "s3cret" not in api.get("/api/v1/users/" + user["id"]).get_data(as_text=True)
    assert api.delete("/api/v1/users/" + user["id"]).get_json() == {}


@pytest.mark.parametrize("body, message", [
    ({"password": "x"}, "Missing email"),
    ({"email": "a@b.c"}, "Missing password"),
])
def test_post_user_missing_keys(api, body, message):
    assert_error(api.post("/api/v1/users", json=body), 400, message)


def test_deleting_a_user_deletes_their_places_and_reviews(api, sample):
    assert api.delete("/api/v1/users/" + sample.bob.id).status_code == 200
    assert_error(api.get("/api/v1/places/" + sample.villa.id), 404, "Not found")
    assert_error(api.get("/api/v1/reviews/" + sample.review_loft.id), 404, "Not found")
    assert api.get("/api/v1/places/" + sample.loft.id).status_code == 200


# -- places ----------------------------------------------------------------------------

def test_places_of_a_city(api, sample):
    response = api.get("/api/v1/cities/{}/places".format(sample.san_francisco.id))
    assert [p["name"] for p in response.get_json()] == ["Loft"]
    assert_error(api.get("/api/v1/cities/nope/places"), 404, "Not found")


def test_place_lifecycle(api, sample):
    url = "/api/v1/cities/{}/places".format(sample.tucson.id)
    response = api.post(url, json={"user_id": sample.bob.id, "name": "Adobe",
                                   "number_rooms": 2, "price_by_night": 75,
                                   "latitude": 32.2, "longitude": -110.9})
    assert response.status_code == 201
    place = response.get_json()
    assert place["city_id"] == sample.tucson.id and place["user_id"] == sample.bob.id
    assert place["number_rooms"] == 2 and place["latitude"] == 32.2

    response = api.put("/api/v1/places/" + place["id"], json={
        "name": "Adobe House", "user_id": sample.alice.id,
        "city_id": sample.phoenix.id, "max_guest": 3})
    body = response.get_json()
    assert response.status_code == 200
    assert body["name"] == "Adobe House" and body["max_guest"] == 3
    assert body["user_id"] == sample.bob.id and body["city_id"] == sample.tucson.id
    assert api.delete("/api/v1/places/" + place["id"]).get_json() == {}
    assert_error(api.get("/api/v1/places/" + place["id"]), 404, "Not found")


def test_post_place_errors_in_spec_order(api, sample):
    url = "/api/v1/cities/{}/places".format(sample.tucson.id)
    assert_error(api.post("/api/v1/cities/nope/places", json={}), 404, "Not found")
    assert_error(api.post(url, data="nope", content_type="application/json"),
                 400, "Not a JSON")
    assert_error(api.post(url, json={"name": "x"}), 400, "Missing user_id")
    assert_error(api.post(url, json={"user_id": "ghost", "name": "x"}), 404, "Not found")
    assert_error(api.post(url, json={"user_id": sample.bob.id}), 400, "Missing name")


# -- reviews -----------------------------------------------------------------------------

def test_review_lifecycle(api, sample):
    url = "/api/v1/places/{}/reviews".format(sample.villa.id)
    response = api.post(url, json={"user_id": sample.alice.id, "text": "Huge pool"})
    assert response.status_code == 201
    review = response.get_json()
    assert review["place_id"] == sample.villa.id and review["__class__"] == "Review"
    assert review["id"] in ids(api.get(url))

    response = api.put("/api/v1/reviews/" + review["id"], json={
        "text": "Huge pool!", "place_id": sample.loft.id, "user_id": sample.bob.id})
    assert response.get_json()["text"] == "Huge pool!"
    assert response.get_json()["place_id"] == sample.villa.id
    assert response.get_json()["user_id"] == sample.alice.id
    assert api.delete("/api/v1/reviews/" + review["id"]).get_json() == {}
    assert_error(api.get("/api/v1/reviews/" + review["id"]), 404, "Not found")


def test_post_review_errors_in_spec_order(api, sample):
    url = "/api/v1/places/{}/reviews".format(sample.villa.id)
    assert_error(api.post("/api/v1/places/nope/reviews", json={"text": "x"}), 404, "Not found")
    assert_error(api.post(url, data="[", content_type="application/json"), 400, "Not a JSON")
    assert_error(api.post(url, json={"text": "x"}), 400, "Missing user_id")
    assert_error(api.post(url, json={"user_id": "ghost", "text": "x"}), 404, "Not found")
    assert_error(api.post(url, json={"user_id": sample.bob.id}), 400, "Missing text")
    assert_error(api.get("/api/v1/places/nope/reviews"), 404, "Not found")


# -- place <-> amenity links ------------------------------------------------------------------

def test_place_amenity_links(api, sample):
    base = "/api/v1/places/{}/amenities".format(sample.cabin.id)
    assert [a["name"] for a in api.get(base).get_json()] == ["Kitchen"]

    response = api.post("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 201 and response.get_json()["name"] == "Pool"
    response = api.post("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 200 and response.get_json()["id"] == sample.pool.id
    assert {a["name"] for a in api.get(base).get_json()} == {"Kitchen", "Pool"}

    response = api.delete("{}/{}".format(base, sample.pool.id))
    assert response.status_code == 200 and response.get_json() == {}
    assert_error(api.delete("{}/{}".format(base, sample.pool.id)), 404, "Not found")
    assert [a["name"] for a in api.get(base).get_json()] == ["Kitchen"]


def test_place_amenity_unknown_objects(api, sample):
    base = "/api/v1/places/{}/amenities".format(sample.cabin.id)
    assert_error(api.get("/api/v1/places/nope/amenities"), 404, "Not found")
    assert_error(api.post("/api/v1/places/nope/amenities/" + sample.pool.id), 404, "Not found")
    assert_error(api.post(base + "/nope"), 404, "Not found")
    assert_error(api.delete("/api/v1/places/nope/amenities/" + sample.pool.id), 404, "Not found")
    assert_error(api.delete(base + "/nope"), 404, "Not found")


# -- places_search ------------------------------------------------------------------------------

def search(api, body):
    response = api.post("/api/v1/places_search/", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {place["name"] for place in response.get_json()}


def test_search_empty_body_returns_every_place(api, sample):
    assert search(api, {}) == {"Loft", "Villa", "Cabin"}
    assert search(api, {"states": [], "cities": [], "amenities": []}) == {"Loft", "Villa", "Cabin"}


def test_search_by_state(api, sample):
    assert search(api, {"states": [sample.california.id]}) == {"Loft", "Villa"}


def test_search_states_and_cities_are_a_union_without_duplicates(api, sample):
    response = api.post("/api/v1/places_search", json={
        "states": [sample.california.id], "cities": [sample.phoenix.id, sample.san_francisco.id]})
    names = [p["name"] for p in response.get_json()]
    assert sorted(names) == ["Cabin", "Loft", "Villa"]


def test_search_amenities_keep_places_having_all_of_them(api, sample):
    assert search(api, {"amenities": [sample.wifi.id]}) == {"Loft", "Villa"}
    assert search(api, {"amenities": [sample.wifi.id, sample.kitchen.id]}) == {"Loft"}
    assert search(api, {"states": [sample.arizona.id],
                        "amenities": [sample.kitchen.id]}) == {"Cabin"}


def test_search_unknown_ids(api, sample):
    assert search(api, {"states": ["nope"]}) == set()
    assert search(api, {"cities": ["nope"], "states": [sample.arizona.id]}) == {"Cabin"}
    assert search(api, {"amenities": [sample.wifi.id, "nope"]}) == set()


def test_search_results_are_plain_place_dicts(api, sample):
    for place in api.post("/api/v1/places_search", json={}).get_json():
        assert place["__class__"] == "Place"
        assert "amenities" not in place


@pytest.mark.parametrize("body", [{"states": "abc"}, {"cities": [1, 2]},
                                  {"amenities": {"a": 1}}, {"states": [None]}])
def test_search_wrong_types_are_400(api, body):
    response = api.post("/api/v1/places_search", json=body)
    assert response.status_code == 400
    assert "must be a list of ids" in response.get_json()["error"]
