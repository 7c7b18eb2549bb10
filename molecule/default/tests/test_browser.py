"""The site as a user sees it: Debian's chromium, driven by Playwright from the
controller, opens the pages through Nginx over https, as https://<host name>
(resolved to the host's address, its lab CA trusted: no certificate error is
ignored, and a mixed-content request would be blocked and fail), and checks
that every request succeeds, nothing is logged as an error, the API status
circle lights up, each page whose script fetches the places shows exactly the
places the API finds (all of them, then after a search by amenity, by state),
and 101-hbnb shows a place's reviews and hides them again.

Chromium comes from Debian (scripts/ensure-chromium.sh); Playwright's own
browser builds are never downloaded.  The timeouts keep a broken page from
hanging the run: the module takes about 30 s, a browser start and some fifteen
page loads."""
import json
import os
import re
import ssl
import urllib.error
import urllib.request
from collections import Counter

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browser_site, wait_until
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

TIMEOUT_MS = 10_000
# The pages' essential assets, each of which must have been loaded.
ASSETS = {"/static/styles/4-common.css", "/static/styles/3-header.css", "/static/styles/3-footer.css",
          "/static/styles/6-filters.css", "/static/styles/8-places.css", "/static/scripts/hbnb.js",
          "/static/images/logo.png"}
AVAILABLE_RED = "rgb(255, 84, 95)"  # #ff545f, #api_status.available in 3-header.css
# The pages whose script fetches the places from the API: 3-hbnb (all of
# them), 4-hbnb (+ search by amenity), 100-hbnb (+ states and cities; the
# stack's search page, instance gunicorn-search) and 101-hbnb (+ reviews).
# The scenario serves 3-, 4- and 101-hbnb through airbnb_app_extra_pages.
FETCHING_PAGES = ["/3-hbnb", "/4-hbnb", "/100-hbnb", "/101-hbnb"]
AMENITY_SEARCH_PAGES = ["/4-hbnb", "/100-hbnb", "/101-hbnb"]
LOCATION_SEARCH_PAGES = ["/100-hbnb", "/101-hbnb"]

@pytest.fixture(scope="module")
def browser_setup(host, tmp_path_factory):
    """The site's URL as chromium opens it (https, lab CA trusted), its environment and switches."""
    return browser_site(host, tmp_path_factory.mktemp("browser-home"))


# The controller's own requests (api() below) go to the host's address; the
# certificate is the browser's business here, and test_https.py's.
UNVERIFIED = ssl._create_unverified_context()
DIRECT = {}


@pytest.fixture(scope="module")
def site(host, browser_setup):
    """The site's base URL as the browser opens it, checked to be reachable from the controller."""
    base = browser_setup[0]
    addresses = [a for a in host.interface.default("inet").addresses if ":" not in a]
    DIRECT[base] = base.split("://")[0] + "://" + addresses[0]
    try:
        urllib.request.urlopen(DIRECT[base] + "/airbnb-onepage/", timeout=10, context=UNVERIFIED).close()
    except urllib.error.HTTPError:
        pass  # an answer all the same: the tests say what is wrong
    except OSError as error:
        pytest.fail("Nginx on {} does not answer the controller: {}".format(DIRECT[base], error))
    return base


def api(site, path, body=None, method=None):
    """The API's answer through Nginx, straight from the controller (not the browser)."""
    method = method or ("POST" if body is not None else "GET")
    request = urllib.request.Request(DIRECT[site] + "/api/v1/" + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10, context=UNVERIFIED) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def browser(site, browser_setup):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("{} is missing: run scripts/ensure-chromium.sh".format(CHROMIUM))
    _, environment, switches = browser_setup
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + switches,
                                             env=environment, headless=True, timeout=30_000)
        yield browser
        browser.close()


class Visit:
    """A fresh page in its own browser context, with what it logged: the
    requests, the failed ones (HTTP >= 400 or no answer), the console errors
    and the uncaught exceptions."""

    def __init__(self, browser, site):
        self.site, self.requests, self.outcomes, self.failed, self.errors = site, [], {}, [], []
        self.context = browser.new_context()
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = page = self.context.new_page()
        page.on("request", lambda r: self.requests.append(r))
        page.on("response", self._response)
        page.on("requestfailed", lambda r: self._outcome(r, r.failure, failed=True))
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            "console error: {} (at {})".format(m.text, m.location.get("url") or "?")))
        page.on("pageerror", lambda e: self.errors.append("uncaught exception: {}".format(e)))

    def _outcome(self, request, outcome, failed):
        self.outcomes[request] = outcome
        if failed:
            self.failed.append("{} {} -> {}".format(request.method, request.url, outcome))

    def _response(self, response):
        self._outcome(response.request, "HTTP {}".format(response.status), failed=response.status >= 400)

    def open(self, path):
        for attempt in (1, 2, 3):
            try:
                response = self.page.goto(self.site + path, wait_until="load", timeout=TIMEOUT_MS)
                break
            except PlaywrightError as error:
                # Docker adding or removing a network on this machine (another
                # scenario starting or ending) makes Chromium abort the page it
                # loads: the client's network changed, not the site.  Again,
                # with a clean record.
                if "ERR_NETWORK_CHANGED" not in str(error) or attempt == 3:
                    raise
                for record in (self.requests, self.outcomes, self.failed, self.errors):
                    record.clear()
        assert response is not None and response.status == 200, \
            "GET {} -> {}\n{}".format(path, response and response.status, self.report())
        return self.page

    def settle(self):
        """Wait until the network is idle and every request has its answer."""
        self.page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        wait_until(lambda: all(r in self.outcomes for r in self.requests), timeout=5)

    def paths(self):
        return {re.sub(r"\?.*", "", r.url[len(self.site):]) for r in self.requests
                if r.url.startswith(self.site + "/")}

    def problems(self):
        foreign = ["request outside the site: " + r.url for r in self.requests
                   if not r.url.startswith(self.site + "/")]
        return self.failed + self.errors + foreign

    def report(self):
        lines = self.problems() or ["no failed request, no error"]
        lines.append("requests:")
        for r in self.requests:
            body = " " + r.post_data if r.post_data else ""
            lines.append("  {} {}{} -> {}".format(r.method, r.url, body, self.outcomes.get(r, "no answer")))
        return "\n".join("  " + line for line in lines)

    def assert_clean(self):
        assert not self.problems(), "the page had problems:\n" + self.report()

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def new():
        visits.append(Visit(browser, site))
        return visits[-1]
    yield new
    for each in visits:
        each.close()


@pytest.mark.parametrize("path", ["/", "/2-hbnb/"])
def test_home_page_renders_without_errors(visit, site, path):
    v = visit()
    page = v.open(path)
    v.settle()
    v.assert_clean()
    missing = ASSETS - v.paths()
    assert not missing, "never requested: {}\n{}".format(sorted(missing), v.report())
    for selector in ("header .logo", "#api_status", "section.filters .locations h3",
                     "section.filters .amenities h3", "section.filters button", "footer"):
        assert page.locator(selector).is_visible(), selector + " is not visible\n" + v.report()
    logo = page.locator("header .logo").bounding_box()
    assert logo and logo["width"] > 100 and logo["height"] > 40, "logo box {}".format(logo)
    assert page.locator("section.filters button").inner_text() == "Search"
    assert page.title() == "HBnB"
    shown = page.locator("section.places article .title_box h2").all_inner_texts()
    places = api(site, "places_search", {})
    expected, got = Counter(p["name"] for p in places), Counter(shown)
    assert got == expected and shown, "the page lists {} places, the API {}\n{}".format(
        len(shown), len(places), difference(expected, got))


def test_api_status_circle_turns_available(visit):
    v = visit()
    page = v.open("/")
    circle = page.locator("#api_status")
    available = wait_until(lambda: "available" in (circle.get_attribute("class") or "").split(), timeout=5)
    v.settle()
    assert available, "#api_status never got the class 'available' (class {!r})\n{}".format(
        circle.get_attribute("class"), v.report())
    colour = circle.evaluate("node => getComputedStyle(node).backgroundColor")
    assert colour == AVAILABLE_RED, "#api_status is {}, not red".format(colour)
    assert "/api/v1/status/" in v.paths()
    v.assert_clean()


def difference(expected, got):
    """What a page shows wrong, between two Counters of place names."""
    return "  missing: {}\n  unexpected: {}".format(sorted((expected - got).elements()),
                                                   sorted((got - expected).elements()))


def page_source(site, path):
    """The page as the server sends it, before any script runs."""
    with urllib.request.urlopen(DIRECT[site] + path, timeout=10, context=UNVERIFIED) as response:
        return response.read().decode()


def open_with_every_place(visit, site, path):
    """A visit of ``path`` once its script shows every place the API has,
    with the places_search request that fetched them."""
    everything = Counter(place["name"] for place in api(site, "places_search", {}))
    v = visit()
    page = v.open(path)
    titles = page.locator("section.places article .title_box h2")
    assert wait_until(lambda: Counter(titles.all_inner_texts()) == everything, timeout=5), \
        "{} should show all {} places, it shows {}\n{}".format(
            path, sum(everything.values()), len(titles.all_inner_texts()), v.report())
    searches = [r for r in v.requests if r.url.split("?")[0].endswith("/api/v1/places_search/")]
    assert [(r.method, json.loads(r.post_data or "null")) for r in searches] == [("POST", {})], v.report()
    return v, page, everything


@pytest.mark.parametrize("path", FETCHING_PAGES)
def test_page_fetches_every_place_from_the_api(visit, site, path):
    source = page_source(site, path)
    assert "/static/scripts/{}.js?".format(path.strip("/")) in source, "{} is not the page's own".format(path)
    # The places come from the script, not from the server.
    assert "<article>" not in source
    v, page, _ = open_with_every_place(visit, site, path)
    v.settle()
    v.assert_clean()
    missing = ASSETS - v.paths()
    assert not missing, "never requested: {}\n{}".format(sorted(missing), v.report())


def search_shows(v, page, kind, checked, expected):
    """Tick ``checked`` (objects with id and name) among the ``kind``
    checkboxes, press Search, and wait for the places the API gave."""
    box = ".amenities" if kind == "amenity" else ".locations"
    page.hover("section.filters " + box)
    for each in checked:
        page.locator('{} input[name="{}"][data-id="{}"]'.format(box, kind, each["id"])).check()
    listed = page.locator(box + " h4").inner_text()
    names = ", ".join(each["name"] for each in checked)
    assert listed == names, "ticked {!r}, the filter lists {!r}".format(names, listed)
    titles = page.locator("section.places article .title_box h2")
    page.locator("section.filters button").click()
    matched = wait_until(lambda: Counter(titles.all_inner_texts()) == expected, timeout=5)
    v.settle()
    got = Counter(titles.all_inner_texts())
    assert matched, "after searching {!r}, the places shown are not the API's\n{}\n{}".format(
        names, difference(expected, got), v.report())
    v.assert_clean()


def amenity_with_some_places(site, total):
    """The first amenity (A→Z) that some places have and some do not, and
    the names of its places according to the API."""
    for amenity in sorted(api(site, "amenities"), key=lambda a: (a["name"], a["id"])):
        places = api(site, "places_search", {"amenities": [amenity["id"]]})
        if 0 < len(places) < total:
            return amenity, Counter(place["name"] for place in places)
    pytest.fail("no amenity matches a non-empty strict subset of the {} places".format(total))


@pytest.mark.parametrize("path", AMENITY_SEARCH_PAGES)
def test_search_by_one_amenity_shows_its_places(visit, site, path):
    v, page, everything = open_with_every_place(visit, site, path)
    amenity, expected = amenity_with_some_places(site, sum(everything.values()))
    assert expected < everything
    search_shows(v, page, "amenity", [amenity], expected)


@pytest.mark.parametrize("path", LOCATION_SEARCH_PAGES)
def test_search_by_one_state_shows_the_places_of_its_cities(visit, site, path):
    v, page, everything = open_with_every_place(visit, site, path)
    total = sum(everything.values())
    for state in sorted(api(site, "states"), key=lambda s: (s["name"], s["id"])):
        expected = Counter(p["name"] for p in api(site, "places_search", {"states": [state["id"]]}))
        if 0 < sum(expected.values()) < total:
            break
    else:
        pytest.fail("no state has a non-empty strict subset of the {} places".format(total))
    search_shows(v, page, "state", [state], expected)


def place_with_reviews(site):
    """A place whose name no other place has, and its reviews (the sample
    data gives each place one)."""
    places = api(site, "places_search", {})
    names = Counter(place["name"] for place in places)
    for place in sorted(places, key=lambda p: (p["name"], p["id"])):
        reviews = api(site, "places/{}/reviews".format(place["id"]))
        if names[place["name"]] == 1 and reviews:
            return place, reviews
    pytest.fail("no place with a name of its own has a review")


def full_name(user):
    """A user's name as the pages write it."""
    return " ".join(filter(None, (user["first_name"], user["last_name"])))


def test_reviews_are_shown_and_hidden_on_demand(visit, site):
    place, reviews = place_with_reviews(site)
    # A second review, by someone else, so the list is a list.
    author = next(u for u in api(site, "users") if u["id"] != reviews[0]["user_id"])
    extra = api(site, "places/{}/reviews".format(place["id"]),
                {"user_id": author["id"], "text": "Browser test: a second opinion."})
    try:
        reviews = api(site, "places/{}/reviews".format(place["id"]))
        assert len(reviews) >= 2
        expected = [r["text"] for r in sorted(reviews, key=lambda r: r["created_at"])]
        users = {r["user_id"]: api(site, "users/" + r["user_id"]) for r in reviews}
        v, page, _ = open_with_every_place(visit, site, "/101-hbnb")
        article = page.locator("section.places article").filter(
            has=page.locator(".title_box h2", has_text=re.compile("^{}$".format(re.escape(place["name"])))))
        assert article.count() == 1, v.report()
        toggle, items = article.locator(".reviews .toggle"), article.locator(".reviews li")
        assert article.locator(".reviews h2").inner_text() == "Reviews"
        assert toggle.inner_text() == "show" and items.count() == 0

        toggle.click()
        assert wait_until(lambda: items.count() == len(expected), timeout=5), \
            "{} reviews shown, the API has {}\n{}".format(items.count(), len(expected), v.report())
        assert toggle.inner_text() == "hide"
        assert article.locator(".reviews li p").all_inner_texts() == expected
        authors = ["From {} the ".format(full_name(users[r["user_id"]]))
                   for r in sorted(reviews, key=lambda r: r["created_at"])]
        titles = article.locator(".reviews li h3")

        def titled():
            """Each review's title names its author (fetched after the list)."""
            texts = titles.all_inner_texts()
            return len(texts) == len(authors) and all(
                t.startswith(a) for t, a in zip(texts, authors, strict=True))
        assert wait_until(titled, timeout=5), \
            "review titles {} should start {}".format(titles.all_inner_texts(), authors)
        # Only this place's reviews were fetched and shown.
        assert page.locator("section.places .reviews li").count() == len(expected)
        assert "/api/v1/places/{}/reviews".format(place["id"]) in v.paths()

        toggle.click()
        assert wait_until(lambda: items.count() == 0, timeout=5), v.report()
        assert toggle.inner_text() == "show"
        v.settle()
        v.assert_clean()
    finally:
        api(site, "reviews/" + extra["id"], method="DELETE")
