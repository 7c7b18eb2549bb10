"""The site as a user sees it: Debian's chromium, driven by Playwright from the
controller, opens the pages through Nginx over https, as https://<host name>
(resolved to the host's address, its lab CA trusted: no certificate error is
ignored, and a mixed-content request would be blocked and fail), and checks
that every request succeeds, nothing is logged as an error, the API status
circle lights up, and the amenity search shows exactly the places the API
finds.

Chromium comes from Debian (scripts/ensure-chromium.sh); Playwright's own
browser builds are never downloaded.  The timeouts keep a broken page from
hanging the run: the module takes about 15 s, a browser start and five page
loads."""
import json
import os
import re
import ssl
import urllib.error
import urllib.request
from collections import Counter

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browser_site, wait_until
from playwright.sync_api import sync_playwright

TIMEOUT_MS = 10_000
# The pages' essential assets, each of which must have been loaded.
ASSETS = {"/static/styles/4-common.css", "/static/styles/3-header.css", "/static/styles/3-footer.css",
          "/static/styles/6-filters.css", "/static/styles/8-places.css", "/static/scripts/hbnb.js",
          "/static/images/logo.png"}
AVAILABLE_RED = "rgb(255, 84, 95)"  # #ff545f, #api_status.available in 3-header.css
# The search page (web_dynamic 100-hbnb, instance gunicorn-search).
SEARCH_PAGE = "/100-hbnb"

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


def api(site, path, body=None):
    """The API's answer through Nginx, straight from the controller (not the browser)."""
    method = "POST" if body is not None else "GET"
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
        response = self.page.goto(self.site + path, wait_until="load", timeout=TIMEOUT_MS)
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
    shown = page.locator("section.places article h2").all_inner_texts()
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


def amenity_with_some_places(site, total):
    """The first amenity (A→Z) that some places have and some do not, and
    the names of its places according to the API."""
    for amenity in sorted(api(site, "amenities"), key=lambda a: (a["name"], a["id"])):
        places = api(site, "places_search", {"amenities": [amenity["id"]]})
        if 0 < len(places) < total:
            return amenity, Counter(place["name"] for place in places)
    pytest.fail("no amenity matches a non-empty strict subset of the {} places".format(total))


def test_search_by_one_amenity_shows_its_places(visit, site):
    everything = Counter(place["name"] for place in api(site, "places_search", {}))
    amenity, expected = amenity_with_some_places(site, sum(everything.values()))
    assert expected < everything

    v = visit()
    page = v.open(SEARCH_PAGE)
    titles = page.locator("section.places article h2")

    def shown():
        return Counter(titles.all_inner_texts())
    assert wait_until(lambda: shown() == everything, timeout=5), \
        "before any search the page should show all {} places, it shows {}\n{}".format(
            sum(everything.values()), sum(shown().values()), v.report())

    page.hover("section.filters .amenities")
    page.locator('.amenities input[data-id="{}"]'.format(amenity["id"])).check()
    listed = page.locator(".amenities h4").inner_text()
    assert listed == amenity["name"], "ticked {!r}, the filter lists {!r}".format(amenity["name"], listed)
    page.locator("section.filters button").click()
    matched = wait_until(lambda: shown() == expected, timeout=5)
    v.settle()
    got = shown()
    assert matched, "after searching {!r}, the places shown are not the API's\n{}\n{}".format(
        amenity["name"], difference(expected, got), v.report())
    v.assert_clean()
