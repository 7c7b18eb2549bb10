"""The whole stack on one host, checked through Nginx on port 80: every route
of the original project reaches its own Gunicorn instance and answers as the
spec says; the services are enabled, bound to loopback, and reload gracefully."""
import re

import pytest
from conftest import LOOPBACK, Load, gunicorn_processes, tcp_listeners, wait_for_new_workers, wait_until

# route through Nginx -> (instance, its access log, expected text)
ROUTES = {
    "/airbnb-onepage/": ("gunicorn-onepage", "/var/log/gunicorn/gunicorn-onepage-access.log", "Hello HBNB!"),
    "/airbnb-dynamic/number_odd_or_even/89": ("gunicorn-odd-even",
                                              "/var/log/gunicorn/gunicorn-odd-even-access.log",
                                              "<H1>Number: 89 is odd</H1>"),
    "/api/v1/status": ("gunicorn-api", "/var/log/gunicorn/gunicorn-api-access.log", '"status":"OK"'),
    "/": ("gunicorn", "/tmp/airbnb-access.log", "<title>HBnB</title>"),
    "/100-hbnb": ("gunicorn-search", "/var/log/gunicorn/gunicorn-search-access.log",
                  '<button type="button">Search</button>'),
}
# The scenario's airbnb_app_extra_pages: an instance each, logs where the
# gunicorn role puts them, the page's own script in the page.
EXTRA_PAGES = {"3-hbnb": 5005, "4-hbnb": 5006, "101-hbnb": 5007}
ROUTES.update({"/" + page: ("gunicorn-" + page, "/var/log/gunicorn/gunicorn-{}-access.log".format(page),
                            "/static/scripts/{}.js?".format(page)) for page in EXTRA_PAGES})
INSTANCES = {"gunicorn-onepage": 5000, "gunicorn-odd-even": 5001, "gunicorn-api": 5002, "gunicorn": 5003,
             "gunicorn-search": 5004}
INSTANCES.update({"gunicorn-" + page: port for page, port in EXTRA_PAGES.items()})


def line_count(host, path):
    return int(host.check_output("wc -l < %s", path))


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_route_reaches_its_own_instance(host, http, path):
    _, log, text = ROUTES[path]
    before = {name: line_count(host, log_of(name)) for name in INSTANCES}
    response = http(path)
    assert response.status == 200
    assert text in response.text
    after = {name: line_count(host, log_of(name)) for name in INSTANCES}
    grown = {name for name in INSTANCES if after[name] > before[name]}
    assert grown == {ROUTES[path][0]}, grown


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_nginx_reaches_the_instance_over_its_unix_socket(host, http, path):
    instance, log, _ = ROUTES[path]
    directory = host.file("/run/{}/proxy".format(instance))
    assert (directory.user, directory.group, directory.mode) == ("airbnb", "www-data", 0o750)
    assert host.file("/run/{}/proxy/gunicorn.sock".format(instance)).is_socket
    before = line_count(host, log)
    assert http(path).status == 200
    lines = host.check_output("tail -n +%s %s", str(before + 1), log).splitlines()
    # Gunicorn logs no peer address for a unix-socket client (a TCP one is 127.0.0.1).
    assert lines and all(line.startswith(" - ") for line in lines), lines


def test_every_master_preloads_the_bundled_app(host):
    """The bundled app is fork-safe, so each master imports it for its
    workers (the resilience and cluster deploys prove new code still loads)."""
    for name in INSTANCES:
        settings = host.file("/etc/gunicorn/{}.conf.py".format(name)).content_string
        assert "\npreload_app = True\n" in settings, name


def log_of(name):
    for instance, log, _ in ROUTES.values():
        if instance == name:
            return log
    raise KeyError(name)


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_route_fails_with_502_when_only_its_instance_is_stopped(host, http, path):
    instance = ROUTES[path][0]
    host.check_output("systemctl stop %s", instance)
    try:
        assert http(path).status == 502
        others = [p for p in ROUTES if ROUTES[p][0] != instance]
        assert all(http(p).status == 200 for p in others)
    finally:
        host.check_output("systemctl start %s", instance)
    assert wait_until(lambda: http(path).status == 200)


def test_hello_route_exact_body(http):
    for path in ("/airbnb-onepage/", "/airbnb-onepage"):
        response = http(path)
        assert response.status == 200
        assert response.text == "Hello HBNB!"
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_odd_even_route(http):
    assert "<H1>Number: 6 is even</H1>" in http("/airbnb-dynamic/number_odd_or_even/6").text
    assert "<TITLE>HBNB</TITLE>" in http("/airbnb-dynamic/number_odd_or_even/6").text
    for bad in ("abc", "8.9", "-3"):
        assert http("/airbnb-dynamic/number_odd_or_even/" + bad).status == 404


def test_api_through_nginx_equals_direct(http):
    via_nginx = http("/api/v1/states")
    direct = http("/api/v1/states", port=5002)
    assert via_nginx.status == direct.status == 200
    assert via_nginx.headers["content-type"] == "application/json"
    assert {s["id"] for s in via_nginx.json()} == {s["id"] for s in direct.json()}
    assert len(via_nginx.json()) == 12  # the sample data


def test_api_errors_are_json(http):
    response = http("/api/v1/nop")
    assert response.status == 404 and response.json() == {"error": "Not found"}
    response = http("/api/v1/states", method="POST", body="not json", content_type="application/json")
    assert response.status == 400 and response.json() == {"error": "Not a JSON"}


def test_api_write_and_read_back(http):
    created = http("/api/v1/states", method="POST", body={"name": "Molecule"})
    assert created.status == 201
    state_id = created.json()["id"]
    assert http("/api/v1/states/" + state_id).json()["name"] == "Molecule"
    assert http("/api/v1/states/" + state_id, method="DELETE").status == 200


def test_home_page_and_its_static_assets(http):
    page = http("/")
    assert page.status == 200
    assert 'id="api_status"' in page.text and "<h3>Amenities</h3>" in page.text
    assert page.text.rstrip().endswith("</html>") and "<p>Holberton School</p>" in page.text
    assets = set(re.findall(r'(?:href|src)="(/static/[^"?]+)', page.text))
    assert assets
    for asset in assets:
        assert http(asset).status == 200, asset
    assert http("/").text != page.text  # a new cache id on every request


def test_served_by_header_and_hidden_version(host, http):
    response = http("/airbnb-onepage/")
    assert response.headers["x-served-by"] == host.check_output("hostname")
    assert response.headers["server"] == "nginx"


@pytest.mark.parametrize("name", sorted(INSTANCES) + ["nginx", "mariadb"])
def test_services_enabled_and_running(host, name):
    service = host.service(name)
    assert service.is_enabled and service.is_running


@pytest.mark.parametrize("name, port", sorted(INSTANCES.items()))
def test_instances_listen_on_loopback_only(host, name, port):
    # Every address counted: the wildcards, the container's own, ::1.
    assert tcp_listeners(host).get(port) == {"127.0.0.1"}


def test_only_nginx_listens_publicly_and_port_6000_is_free(host):
    listeners = tcp_listeners(host)
    public = {port for port, addresses in listeners.items() if addresses - LOOPBACK}
    # http (which redirects) and https, site.yml's default.
    assert public == {80, 443}, listeners
    assert 6000 not in listeners, listeners[6000]


def test_gunicorn_service_has_three_workers_and_its_logs(host):
    master, workers = gunicorn_processes(host)
    assert len(workers) == 3
    error_log = host.file("/tmp/airbnb-error.log")
    assert error_log.contains("Listening at: http://127.0.0.1:5003")
    assert host.file("/tmp/airbnb-access.log").exists
    assert host.process.get(pid=master).user == "airbnb"


def test_graceful_reload_renews_every_worker_under_the_same_master(host, http):
    master, workers = gunicorn_processes(host)
    host.check_output("systemctl reload gunicorn")

    def renewed():
        new_master, new_workers = gunicorn_processes(host)
        return (new_master, new_workers) if len(new_workers) == 3 and \
            not set(new_workers) & set(workers) else None
    result = wait_until(renewed)
    assert result, "workers were not renewed"
    assert result[0] == master
    assert http("/").status == 200


def test_environment_file_is_private_and_never_test(host):
    env = host.file("/etc/airbnb/app.env")
    assert env.mode == 0o600 and env.user == "airbnb"
    assert not env.contains("^HBNB_ENV=")
    assert env.contains("^HBNB_TYPE_STORAGE=db$")


def test_database_user_has_rights_on_its_database_only(host):
    grants = host.check_output("mariadb -N -B -e %s", "SHOW GRANTS FOR 'hbnb_dev'@'localhost'")
    assert "ON `hbnb_dev_db`.*" in grants
    assert "ON *.* TO" in grants and "GRANT USAGE ON *.*" in grants
    assert "ALL PRIVILEGES ON *.*" not in grants


def test_reload_script_under_load_fails_no_request(host):
    script = host.file("/usr/local/bin/4-reload_gunicorn_no_downtime")
    assert script.mode == 0o755
    lines = script.content_string.splitlines()
    assert lines[0] == "#!/usr/bin/env bash" and lines[1].startswith("# ")
    master, workers = gunicorn_processes(host)
    load = Load(host, ["/", "/2-hbnb"])
    host.check_output("/usr/local/bin/4-reload_gunicorn_no_downtime")
    renewed = wait_for_new_workers(host, "gunicorn", workers)
    figures = load.stop()
    print("requests sent {sent}, failed {failed}".format(**figures))
    assert renewed and renewed[0] == master
    assert figures["sent"] >= 20
    assert figures["failed"] == 0, figures["errors"]
