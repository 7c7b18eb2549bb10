"""web_dynamic (AirBnB_clone_v4, project 0x06) as a visitor sees it.

Each page is the HBnB page of web_flask/100-hbnb plus what its task adds;
2-hbnb is the page the 0x1A stack serves at "/".  The scripts cannot run
here, so their tests check what they are made of (same-origin API URLs, no
CDN, no markup built from API data) and that the API answers the requests
they send.
"""
import re
import uuid
from dataclasses import dataclass

import pytest

from tests.test_web_flask import (
    FOOTER,
    Page,
    assert_assets_served,
    count_close_calls,
    filters_markup,
    get_ok,
    places_markup,
    squeeze,
)

TAIL = ("    </div>\n"
        "    <footer>\n"
        "      <p>Holberton School</p>\n"
        "    </footer>\n"
        "  </body>\n"
        "</html>")

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Spec:
    """What a page has, by the task that introduced it."""
    module: str
    url: str
    script: str = None
    amenity_boxes: bool = False
    api_status: bool = False
    server_places: bool = False
    location_boxes: bool = False

    def __str__(self):
        """The module name, as the test id."""
        return self.module


PAGES = [
    Spec("0-hbnb", "/0-hbnb/", server_places=True),
    Spec("1-hbnb", "/1-hbnb", "1-hbnb.js", amenity_boxes=True,
         server_places=True),
    Spec("2-hbnb", "/2-hbnb", "2-hbnb.js", amenity_boxes=True,
         api_status=True, server_places=True),
    Spec("3-hbnb", "/3-hbnb", "3-hbnb.js", amenity_boxes=True,
         api_status=True),
    Spec("4-hbnb", "/4-hbnb", "4-hbnb.js", amenity_boxes=True,
         api_status=True),
    Spec("100-hbnb", "/100-hbnb", "100-hbnb.js", amenity_boxes=True,
         api_status=True, location_boxes=True),
    Spec("101-hbnb", "/101-hbnb", "101-hbnb.js", amenity_boxes=True,
         api_status=True, location_boxes=True),
]
SCRIPTED = [spec for spec in PAGES if spec.script]

# What no page script may contain: absolute or cross-origin API URLs (the
# page is served by Nginx on port 80 under any host name), a CDN, jQuery,
# `var`, or markup built from strings.
FORBIDDEN_IN_SCRIPTS = re.compile(
    r"https?://|:500\d|0\.0\.0\.0|localhost|127\.0\.0\.1|\bvar\s|jQuery|\$\(|"
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(")


@pytest.fixture
def close_calls(monkeypatch):
    """The calls to storage.close, as requests end."""
    return count_close_calls(monkeypatch)


@pytest.fixture(params=PAGES, ids=str)
def spec(request):
    """Each page in turn."""
    return request.param


def client(client_of, spec):
    """A test client of the page's module."""
    return client_of("web_dynamic." + spec.module)


def get_page(client_of, spec, url=None):
    """The page's HTML, checked to be a 200."""
    return get_ok(client(client_of, spec), url or spec.url)


def boxes(text, name):
    """(data-id, data-name) of the page's checkboxes called `name`."""
    return [(box["data-id"], box["data-name"])
            for box in Page(text).checkboxes if box.get("name") == name]


def script_text(client_of, spec, text):
    """The source of every script the page loads, concatenated."""
    app = client(client_of, spec)
    return "\n".join(app.get(src).text for src in Page(text).scripts)


# -- the page -----------------------------------------------------------------

def test_page(client_of, sample, spec):
    """A complete HTML page with the filters of the sample."""
    text = get_page(client_of, spec)
    assert text.startswith("<!DOCTYPE html>\n")
    assert '<meta charset="UTF-8">' in text
    assert "<title>HBnB</title>" in text
    assert text.endswith(TAIL)
    without_boxes = re.sub(r"<input [^>]*>", "", squeeze(text))
    assert filters_markup(sample) in without_boxes


def test_both_slash_forms_answer_without_redirect(client_of, spec):
    """The URL answers with and without its trailing slash."""
    app = client(client_of, spec)
    bare = spec.url.rstrip("/")
    for url in (bare, bare + "/"):
        response = app.get(url)
        assert response.status_code == 200, url


def test_cache_id_on_every_asset(client_of, spec):
    """Every asset URL has the page's cache id, new on each response."""
    first, second = (get_page(client_of, spec) for _ in range(2))
    ids = []
    for text in (first, second):
        assets = Page(text).assets
        assert len(assets) >= 6  # icon + 5 stylesheets (+ scripts)
        queries = {re.fullmatch(r"/static/[^?]+\?(.*)", url).group(1)
                   for url in assets}
        assert len(queries) == 1, "one cache id per page"
        cache_id = queries.pop()
        assert re.fullmatch(UUID, cache_id)
        assert str(uuid.UUID(cache_id)) == cache_id
        ids.append(cache_id)
    assert ids[0] != ids[1]


def test_every_static_url_is_served(client_of, spec):
    """Every stylesheet, image and script the page names is served."""
    text = get_page(client_of, spec)
    served = assert_assets_served(client(client_of, spec), text)
    expected = {"/static/styles/4-common.css", "/static/styles/3-header.css",
                "/static/styles/3-footer.css", "/static/styles/6-filters.css",
                "/static/images/icon.png", "/static/images/logo.png"}
    if spec.server_places or spec.script:
        expected |= {"/static/styles/8-places.css",
                     "/static/images/icon_group.png",
                     "/static/images/icon_bed.png",
                     "/static/images/icon_bath.png"}
    if spec.script:
        expected |= {"/static/scripts/hbnb.js",
                     "/static/scripts/" + spec.script}
    assert served >= expected


def test_amenity_checkboxes(client_of, sample, spec):
    """Amenity checkboxes by name, on the pages that have them."""
    found = boxes(get_page(client_of, spec), "amenity")
    if spec.amenity_boxes:
        assert found == [(sample.kitchen.id, "Kitchen"),
                         (sample.pool.id, "Pool"),
                         (sample.wifi.id, "Wifi")]
    else:
        assert found == []


def test_state_and_city_checkboxes(client_of, sample, spec):
    """State and city checkboxes by name, on 100 and 101 only."""
    text = get_page(client_of, spec)
    if spec.location_boxes:
        states = (sample.arizona, sample.california, sample.nevada)
        cities = (sample.phoenix, sample.tucson, sample.los_angeles,
                  sample.san_francisco)
        assert boxes(text, "state") == [(s.id, s.name) for s in states]
        assert boxes(text, "city") == [(c.id, c.name) for c in cities]
    else:
        assert boxes(text, "state") == boxes(text, "city") == []


def test_names_are_text_even_in_attributes(client_of, sample, storage, spec):
    """A name with markup is escaped, in text and attributes."""
    sample.pool.name = '"><script>alert(1)</script>'
    sample.pool.save()
    storage.close()
    text = get_page(client_of, spec)
    assert "<script>alert" not in text
    if spec.amenity_boxes:
        assert (sample.pool.id, sample.pool.name) in boxes(text, "amenity")


def test_api_status_circle(client_of, spec):
    """The API status circle starts grey, on the pages that have it."""
    text = get_page(client_of, spec)
    if spec.api_status:
        # Grey until the script has heard from the API: never "available"
        # here.
        assert re.search(r'<header>\s*<div class="logo"></div>\s*'
                         r'<div id="api_status"[^>]*></div>\s*</header>', text)
        assert "available" not in text
    else:
        assert "api_status" not in text


def test_api_status_style(client_of):
    """The circle's size, colours and place, as the task sets them."""
    app = client_of("web_dynamic.2-hbnb")
    css = app.get("/static/styles/3-header.css").text
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = {selector.strip(): body
             for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)}
    circle = rules["#api_status"]
    for declaration in ("width: 40px", "height: 40px", "border-radius: 50%",
                        "background-color: #cccccc", "margin-right: 30px"):
        assert declaration in circle
    assert "background-color: #ff545f" in rules["#api_status.available"]
    # Right-aligned and vertically centred by the header's flex layout.
    for declaration in ("display: flex", "align-items: center",
                        "justify-content: space-between"):
        assert declaration in rules["header"]


def test_places(client_of, sample, spec):
    """Places rendered by the server, or an empty section for the script."""
    text = squeeze(get_page(client_of, spec))
    if spec.server_places:
        assert places_markup(sample) + "</div>" + FOOTER in text
    else:
        # Filled by the page script from the API.
        assert '<section class="places"><h1>Places</h1></section>' in text
        assert "<article>" not in text


# -- the scripts --------------------------------------------------------------

def test_scripts_are_local_and_deferred(client_of, spec):
    """Only the page's own deferred scripts, from /static."""
    text = get_page(client_of, spec)
    scripts = Page(text).scripts
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text), \
        "inline or remote script"
    if spec.script is None:
        assert scripts == []
        return
    assert [src.split("?")[0] for src in scripts] == [
        "/static/scripts/hbnb.js", "/static/scripts/" + spec.script]
    tag = r'<script src="{}" defer></script>'
    assert all(re.search(tag.format(re.escape(src)), text)
               for src in scripts)


@pytest.mark.parametrize("spec", SCRIPTED, ids=str)
def test_scripts_call_the_api_on_the_same_origin(client_of, spec):
    """Scripts: a relative API URL, strict mode, no HTML strings."""
    source = script_text(client_of, spec, get_page(client_of, spec))
    assert not FORBIDDEN_IN_SCRIPTS.search(source), \
        FORBIDDEN_IN_SCRIPTS.search(source).group(0)
    assert "const API = '/api/v1/';" in source
    assert "'use strict';" in source


# What each page script does, cumulatively, as the tasks add features.
SCRIPT_CALLS = {
    "1-hbnb.js": ["HBNB.listChecked('.amenities');"],
    "2-hbnb.js": ["HBNB.listChecked('.amenities');", "HBNB.showApiStatus();"],
    "3-hbnb.js": ["HBNB.listChecked('.amenities');", "HBNB.showApiStatus();",
                  "HBNB.showPlaces({});"],
    "4-hbnb.js": ["HBNB.listChecked('.amenities');", "HBNB.showApiStatus();",
                  "HBNB.searchOnClick(() => "
                  "({ amenities: HBNB.checkedIds('amenity') }));"],
    "100-hbnb.js": ["HBNB.listChecked('.locations');",
                    "HBNB.listChecked('.amenities');",
                    "HBNB.showApiStatus();",
                    "HBNB.searchOnClick(HBNB.checkedFilters);"],
    "101-hbnb.js": ["HBNB.listChecked('.locations');",
                    "HBNB.listChecked('.amenities');",
                    "HBNB.showApiStatus();",
                    "HBNB.searchOnClick(HBNB.checkedFilters,"
                    " HBNB.addReviews);"],
}


@pytest.mark.parametrize("spec", SCRIPTED, ids=str)
def test_page_script_composes_its_features(client_of, spec):
    """A page script calls its task's features and the earlier ones."""
    app = client(client_of, spec)
    source = app.get("/static/scripts/" + spec.script).text
    calls = [line for line in source.splitlines() if line.startswith("HBNB.")]
    assert calls == SCRIPT_CALLS[spec.script]


def test_shared_script_requests(client_of):
    """The requests hbnb.js sends, as the API tests below expect them."""
    app = client_of("web_dynamic.2-hbnb")
    source = app.get("/static/scripts/hbnb.js").text
    for fragment in (
            "api('status/')",
            "api('places_search/', {",
            "method: 'POST',",
            "headers: { 'Content-Type': 'application/json' },",
            "body: JSON.stringify(filters)",
            "api(`users/${encodeURIComponent(id)}`)",
            "api(`places/${encodeURIComponent(place.id)}/reviews`)",
            "circle.classList.toggle('available', ok);",
            "h4.textContent = names.length ? names.join(', ') : NBSP;"):
        assert fragment in source, fragment


# -- the API answers what the scripts ask -------------------------------------

def test_api_answers_the_scripts(api, sample):
    """The API answers each request hbnb.js sends."""
    status = api.get("/api/v1/status/")
    assert (status.status_code, status.json) == (200, {"status": "OK"})

    def search(body):
        """The sorted names of the places a search finds."""
        response = api.post("/api/v1/places_search/", json=body)
        assert response.status_code == 200
        return sorted(place["name"] for place in response.json)

    assert search({}) == ["Cabin", "Loft", "Villa"]
    assert search({"amenities": [sample.kitchen.id]}) == ["Cabin", "Loft"]
    assert search({"states": [sample.arizona.id],
                   "cities": [sample.los_angeles.id],
                   "amenities": []}) == ["Cabin", "Villa"]

    user = api.get("/api/v1/users/" + sample.bob.id + "/")
    assert user.status_code == 200
    assert ((user.json["first_name"], user.json["last_name"])
            == ("Bob", "Builder"))

    reviews = api.get("/api/v1/places/{}/reviews".format(sample.loft.id))
    assert reviews.status_code == 200
    assert ([(r["text"], r["user_id"]) for r in reviews.json]
            == [("Lovely view", sample.bob.id)])


# -- "/" is the 2-hbnb page ---------------------------------------------------

def test_root_is_the_2_hbnb_page(client_of, sample):
    """"/" serves the same page as /2-hbnb."""
    spec = PAGES[2]
    pages = [re.sub(UUID, "<cache id>", get_page(client_of, spec, url))
             for url in ("/", "/2-hbnb", "/2-hbnb/")]
    assert pages[0] == pages[1] == pages[2]


@pytest.mark.parametrize("spec", PAGES, ids=str)
def test_storage_closed_after_each_request(client_of, close_calls, spec):
    """Every page request closes the storage once."""
    get_page(client_of, spec)
    assert len(close_calls) == 1
    get_page(client_of, spec)
    assert len(close_calls) == 2
