"""web_flask (AirBnB_clone_v2, project 0x04) as a visitor sees it.

The text routes of tasks 0-6 must answer byte for byte what the project
shows; the pages of tasks 7-100 must list what storage holds, sorted by
name.  Run once per storage engine (see conftest.py).
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

import models

HTML = "text/html; charset=utf-8"

TEXT_MODULES = ("0-hello_route", "1-hbnb_route", "2-c_route", "3-python_route",
                "4-number_route", "5-number_template", "6-number_odd_or_even")

# (first task answering it, path, exact body)
TEXT_ROUTES = (
    (0, "/", "Hello HBNB!"),
    (1, "/hbnb", "HBNB"),
    (1, "/hbnb/", "HBNB"),
    (2, "/c/is_fun", "C is fun"),
    (2, "/c/cool", "C cool"),
    (3, "/python", "Python is cool"),
    (3, "/python/", "Python is cool"),
    (3, "/python/is_magic", "Python is magic"),
    (3, "/python/is_cool", "Python is cool"),
    (4, "/number/89", "89 is a number"),
)

# Paths no module of the series answers.
NOT_FOUND = ("/c", "/c/", "/number/8.9", "/number/python", "/number/-3",
             "/number_template/8.9", "/number_odd_or_even/python",
             "/number_odd_or_even/-3", "/number_odd_or_even/8.9")


def number_page(heading):
    """The page of tasks 5 and 6, in the project's exact layout."""
    return ("<!DOCTYPE html>\n"
            '<HTML lang="en">\n'
            "    <HEAD>\n"
            "        <TITLE>HBNB</TITLE>\n"
            "    </HEAD>\n"
            "    <BODY>\n"
            "        <H1>" + heading + "</H1>\n"
            "    </BODY>\n"
            "</HTML>")


def squeeze(text):
    """Markup without the indentation between tags."""
    return re.sub(r">\s+<", "><", text.strip())


def get_ok(client, path):
    """The page's HTML, checked to be a 200 with the HTML type."""
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == HTML
    return response.text


class Page(HTMLParser):
    """What the tests read from a page: asset URLs, checkboxes, scripts."""

    def __init__(self, text):
        """Parse the whole of ``text``."""
        super().__init__(convert_charrefs=True)
        self.assets = []
        self.scripts = []
        self.checkboxes = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        """Note the URLs, scripts and checkboxes a tag holds."""
        attrs = dict(attrs)
        self.assets += [attrs[name] for name in ("href", "src")
                        if name in attrs]
        if tag == "script":
            self.scripts.append(attrs.get("src"))
        if tag == "input" and attrs.get("type") == "checkbox":
            self.checkboxes.append(attrs)


CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
CONTENT_TYPES = {".css": "text/css", ".png": "image/png",
                 ".js": "text/javascript"}


def assert_assets_served(client, text):
    """Every /static/ URL of the page, and every url() inside its
    stylesheets, is answered by the app with the right type."""
    urls = [url for url in Page(text).assets if url.startswith("/static/")]
    assert urls
    seen = set()
    while urls:
        url = urls.pop()
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = path[path.rindex("."):]
        assert response.mimetype == CONTENT_TYPES[suffix], url
        if suffix == ".png":
            assert response.data.startswith(b"\x89PNG\r\n\x1a\n"), url
        if suffix == ".css":
            urls += [urljoin(path, ref)
                     for ref in CSS_URL.findall(response.text)]
        response.close()
    return seen


def count_close_calls(monkeypatch):
    """Make storage.close() record its calls (and still close)."""
    calls = []
    real_close = models.storage.close

    def close():
        """Count the call, then close as usual."""
        calls.append(1)
        real_close()

    monkeypatch.setattr(models.storage, "close", close)
    return calls


@pytest.fixture
def close_calls(monkeypatch):
    """The calls to storage.close, as requests end."""
    return count_close_calls(monkeypatch)


# -- tasks 0-6: text routes ---------------------------------------------------

@pytest.mark.parametrize("task, module", enumerate(TEXT_MODULES))
def test_text_routes_are_cumulative(client_of, task, module):
    """Each module answers its own routes and every earlier task's."""
    client = client_of("web_flask." + module)
    for introduced, path, body in TEXT_ROUTES:
        response = client.get(path)
        if introduced <= task:
            assert (response.status_code, response.text) == (200, body), path
            assert response.headers["Content-Type"] == HTML
        else:
            assert response.status_code == 404, path


@pytest.mark.parametrize("module", TEXT_MODULES)
def test_text_routes_refuse_what_does_not_match(client_of, module):
    """Paths outside the routes' rules are 404s."""
    client = client_of("web_flask." + module)
    for path in NOT_FOUND:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("path", ["/airbnb-onepage/", "/airbnb-onepage", "/"])
def test_hello_route_answers_where_the_stack_serves_it(client_of, path):
    """Task 0 answers at the proxy's paths, without redirects."""
    client = client_of("web_flask.0-hello_route")
    response = client.get(path)  # a redirect would show here as 30x
    assert response.status_code == 200
    assert response.data == b"Hello HBNB!"
    assert response.headers["Content-Type"] == HTML


@pytest.mark.parametrize("module", TEXT_MODULES[5:])
def test_number_template(client_of, module):
    """Task 5's page, byte for byte."""
    client = client_of("web_flask." + module)
    assert get_ok(client, "/number_template/89") == number_page("Number: 89")
    assert get_ok(client, "/number_template/0") == number_page("Number: 0")


@pytest.mark.parametrize("n, heading", [(89, "Number: 89 is odd"),
                                        (32, "Number: 32 is even"),
                                        (0, "Number: 0 is even"),
                                        (1, "Number: 1 is odd")])
def test_number_odd_or_even(client_of, n, heading):
    """Task 6's page says odd or even, byte for byte."""
    client = client_of("web_flask.6-number_odd_or_even")
    text = get_ok(client, "/number_odd_or_even/{}".format(n))
    assert text == number_page(heading)


# -- tasks 7-9: states and cities ---------------------------------------------

def li(obj):
    """The list item of a state or city: id and bold name."""
    return "<LI>{}: <B>{}</B></LI>".format(obj.id, obj.name)


def states_page(body):
    """The states page around ``body``, whitespace squeezed."""
    return ('<!DOCTYPE html><HTML lang="en"><HEAD><TITLE>HBNB</TITLE></HEAD>'
            "<BODY>" + body + "</BODY></HTML>")


def states_list(sample):
    """The sample's states, as an H1 and a sorted list."""
    return ("<H1>States</H1><UL>" + li(sample.arizona) + li(sample.california)
            + li(sample.nevada) + "</UL>")


def test_states_list(client_of, sample):
    """Task 7 lists every state by name."""
    text = get_ok(client_of("web_flask.7-states_list"), "/states_list")
    assert squeeze(text) == states_page(states_list(sample))


def test_states_list_when_empty(client_of):
    """Task 7 with no state: an empty list."""
    text = get_ok(client_of("web_flask.7-states_list"), "/states_list/")
    assert squeeze(text) == states_page("<H1>States</H1><UL></UL>")


def test_cities_by_states(client_of, sample):
    """Task 8 lists every state with its cities, all by name."""
    text = get_ok(client_of("web_flask.8-cities_by_states"),
                  "/cities_by_states")

    def state(obj, *cities):
        """A state's item: id, name and the list of its cities."""
        return ("<LI>{}: <B>{}</B><UL>".format(obj.id, obj.name)
                + "".join(li(city) for city in cities) + "</UL></LI>")

    # Nevada has no city: an empty list, as in the project's example.
    assert squeeze(text) == states_page(
        "<H1>States</H1><UL>"
        + state(sample.arizona, sample.phoenix, sample.tucson)
        + state(sample.california, sample.los_angeles,
                sample.san_francisco)
        + state(sample.nevada)
        + "</UL>")


@pytest.mark.parametrize("path", ["/states", "/states/"])
def test_states(client_of, sample, path):
    """Task 9 lists every state at /states."""
    text = get_ok(client_of("web_flask.9-states"), path)
    assert squeeze(text) == states_page(states_list(sample))


def test_state_with_its_cities(client_of, sample):
    """Task 9 shows one state and its cities by name."""
    text = get_ok(client_of("web_flask.9-states"),
                  "/states/" + sample.california.id)
    assert squeeze(text) == states_page(
        "<H1>State: California</H1><H3>Cities:</H3><UL>"
        + li(sample.los_angeles) + li(sample.san_francisco) + "</UL>")


def test_state_without_cities(client_of, sample):
    """Task 9 shows a state without cities with an empty list."""
    text = get_ok(client_of("web_flask.9-states"),
                  "/states/" + sample.nevada.id)
    assert squeeze(text) == states_page(
        "<H1>State: Nevada</H1><H3>Cities:</H3><UL></UL>")


@pytest.mark.parametrize("state_id", ["not-an-id",
                                      "421a55f4-7d82-47d9-b54c-a76916479545"])
def test_unknown_state_is_a_page_not_an_error(client_of, sample, state_id):
    """An unknown id is a 200 page saying "Not found!"."""
    text = get_ok(client_of("web_flask.9-states"), "/states/" + state_id)
    assert squeeze(text) == states_page("<H1>Not found!</H1>")


# -- tasks 10 and 100: the HBnB page ------------------------------------------

def filters_markup(sample):
    """The filters section, whitespace squeezed, as the sample fills it."""
    def state(obj, *cities):
        """A state's item: its name and the names of its cities."""
        return ("<li><h2>{}:</h2><ul>".format(obj.name)
                + "".join("<li>{}</li>".format(city.name) for city in cities)
                + "</ul></li>")

    return ('<section class="filters">'
            '<div class="locations"><h3>States</h3><h4>&nbsp;</h4>'
            '<div class="popover"><ul>'
            + state(sample.arizona, sample.phoenix, sample.tucson)
            + state(sample.california, sample.los_angeles,
                    sample.san_francisco)
            + state(sample.nevada)
            + "</ul></div></div>"
            '<div class="amenities"><h3>Amenities</h3><h4>&nbsp;</h4>'
            '<div class="popover"><ul>'
            "<li>Kitchen</li><li>Pool</li><li>Wifi</li>"
            "</ul></div></div>"
            '<button type="button">Search</button>'
            "</section>")


FOOTER = '<footer><p>Holberton School</p></footer></body></html>'


def test_hbnb_filters(client_of, sample):
    """Task 10: the filters page, its assets served."""
    client = client_of("web_flask.10-hbnb_filters")
    text = squeeze(get_ok(client, "/hbnb_filters"))
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>HBnB</title>" in text
    assert filters_markup(sample) in text
    assert 'class="places"' not in text
    assert text.endswith(FOOTER)
    served = assert_assets_served(client, text)
    assert served >= {"/static/styles/4-common.css",
                      "/static/styles/3-header.css",
                      "/static/styles/3-footer.css",
                      "/static/styles/6-filters.css",
                      "/static/images/icon.png", "/static/images/logo.png"}


def test_hbnb_filters_popover_scrolls(client_of):
    """A long list of filters scrolls inside its popover."""
    app = client_of("web_flask.10-hbnb_filters")
    css = app.get("/static/styles/6-filters.css").text
    popover = re.search(r"\.popover\s*\{([^}]*)\}", css).group(1)
    assert "max-height: 300px" in popover
    assert re.search(r"overflow(-y)?: (auto|scroll)", popover)


def article(place, owner, guests, rooms, bathrooms, description):
    """The markup of one place, whitespace squeezed."""
    return ("<article>"
            '<div class="title_box"><h2>{}</h2>'
            '<div class="price_by_night">${}</div></div>'
            '<div class="information">'
            '<div class="max_guest">{}</div>'
            '<div class="number_rooms">{}</div>'
            '<div class="number_bathrooms">{}</div></div>'
            '<div class="user"><b>Owner:</b> {}</div>'
            '<div class="description">{}</div>'
            "</article>").format(place.name, place.price_by_night, guests,
                                 rooms, bathrooms, owner, description)


def places_markup(sample):
    """The places section, whitespace squeezed, sorted by name."""
    return ('<section class="places"><h1>Places</h1>'
            + article(sample.cabin, "Alice Liddell", "2 Guests", "1 Bedroom",
                      "1 Bathroom", "")
            # The <BR /> of the description is a line break, not text.
            + article(sample.loft, "Alice Liddell", "4 Guests", "2 Bedrooms",
                      "1 Bathroom", "Sunny<BR />loft")
            + article(sample.villa, "Bob Builder", "10 Guests", "5 Bedrooms",
                      "3 Bathrooms", "")
            + "</section>")


def test_hbnb(client_of, sample):
    """Task 100: filters and places, its assets served."""
    client = client_of("web_flask.100-hbnb")
    text = squeeze(get_ok(client, "/hbnb"))
    assert "<title>HBnB</title>" in text
    assert (filters_markup(sample) + places_markup(sample) + "</div>"
            + FOOTER) in text
    assert text.endswith(FOOTER)
    served = assert_assets_served(client, text)
    assert served >= {"/static/styles/8-places.css",
                      "/static/images/icon_group.png",
                      "/static/images/icon_bed.png",
                      "/static/images/icon_bath.png"}


def test_hbnb_shows_no_markup_from_storage(client_of, sample, storage):
    """Only line breaks of a description are markup; names and the rest of
    the description are text."""
    sample.loft.description = 'Sunny<br>loft <script>alert("x")</script>'
    sample.loft.save()
    sample.wifi.name = "<b>Wifi</b>"
    sample.wifi.save()
    storage.close()
    text = get_ok(client_of("web_flask.100-hbnb"), "/hbnb")
    assert "<script>" not in text
    assert "<b>Wifi</b>" not in text
    assert "&lt;b&gt;Wifi&lt;/b&gt;" in text
    assert ('<div class="description">Sunny<br>loft '
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</div>") in text


def test_hbnb_when_empty(client_of):
    """Task 100 with empty storage: empty sections, no error."""
    text = squeeze(get_ok(client_of("web_flask.100-hbnb"), "/hbnb/"))
    assert '<section class="places"><h1>Places</h1></section>' in text
    assert ('<h3>States</h3><h4>&nbsp;</h4>'
            '<div class="popover"><ul></ul></div>') in text


# -- every data-driven page releases storage after each request ---------------

@pytest.mark.parametrize("module, path", [
    ("7-states_list", "/states_list"),
    ("8-cities_by_states", "/cities_by_states"),
    ("9-states", "/states"),
    ("9-states", "/states/nope"),
    ("10-hbnb_filters", "/hbnb_filters"),
    ("100-hbnb", "/hbnb"),
])
def test_storage_closed_after_each_request(client_of, close_calls, module,
                                           path):
    """Every data page closes the storage once per request."""
    client = client_of("web_flask." + module)
    get_ok(client, path)
    assert len(close_calls) == 1
    get_ok(client, path)
    assert len(close_calls) == 2


def test_pages_see_objects_added_after_start(client_of, sample):
    """No page caches storage: a state created between two requests shows."""
    client = client_of("web_flask.7-states_list")
    assert "Oregon" not in get_ok(client, "/states_list")
    from models.state import State
    oregon = State(name="Oregon")
    oregon.save()
    models.storage.close()
    assert li(oregon) in squeeze(get_ok(client, "/states_list"))
