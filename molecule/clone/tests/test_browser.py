"""The clone's page in Debian's chromium through Nginx: its script, whose API
origin the deployment rewrote, lights the status circle.

The template loads jQuery from its CDN, as the students' pages do; visitors'
browsers fetch it there, but this machine has no internet, so the test
answers that one request itself with Debian's jQuery (libjs-jquery, installed
by scripts/ensure-chromium.sh).  Every other request goes to the site."""
import os
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browser_site
from playwright.sync_api import sync_playwright

JQUERY = Path("/usr/share/javascript/jquery/jquery.min.js")
CDN = "https://code.jquery.com/"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def page_visit(host, tmp_path_factory):
    # https://<host name>, the host's lab CA trusted (stacktest.browser_site).
    site, environment, switches = browser_site(host, tmp_path_factory.mktemp("browser-home"))
    for needed in (CHROMIUM, JQUERY):
        if not os.path.exists(needed):
            pytest.fail("{} is missing: run scripts/ensure-chromium.sh".format(needed))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + switches,
                                             env=environment, headless=True, timeout=30_000)
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        context.route(CDN + "**", lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=JQUERY.read_text()))
        page = context.new_page()
        seen = {"requests": [], "failed": [], "errors": []}
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("response", lambda r: r.status >= 400
                and seen["failed"].append("{} {}".format(r.status, r.url)))
        page.on("requestfailed", lambda r: seen["failed"].append("{} {}".format(r.failure, r.url)))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        response = page.goto(site + "/", wait_until="load")
        assert response.status == 200
        page.wait_for_load_state("networkidle")
        yield site, page, seen
        browser.close()


def test_the_status_circle_is_available(page_visit):
    site, page, seen = page_visit
    page.wait_for_selector("#api_status.available", timeout=TIMEOUT_MS)
    # The status call went to the page's own origin, through Nginx.
    assert site + "/api/v1/status/" in seen["requests"]
    assert not [url for url in seen["requests"] if "0.0.0.0" in url]


def test_every_request_succeeds_and_stays_on_the_site(page_visit):
    site, page, seen = page_visit
    assert not seen["failed"] and not seen["errors"], seen
    foreign = [url for url in seen["requests"] if not url.startswith((site + "/", CDN))]
    assert not foreign, foreign
    assert any(url.startswith(CDN) for url in seen["requests"]), \
        "the page does not load jQuery from its CDN: the test serves nothing"
