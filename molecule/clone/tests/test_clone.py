"""A student's AirBnB_clone_v4, deployed unchanged from git by site.yml:
every route of the original project through Nginx, the API on MariaDB with
the rows of the clone's own dump, the dump's dangerous statements left out,
and broken pushes that stop before the switch with the live site untouched.

The module runs in file order: the reads first, then the re-runs of
site.yml (a row written through the API survives them)."""
import json
import re
import uuid
from pathlib import Path

import pytest
from conftest import gunicorn_processes, run_playbook

FIXTURE = Path(__file__).resolve().parents[1] / "fixture" / "AirBnB_clone_v4"
DUMP = (FIXTURE / "web_flask" / "100-dump.sql").read_text()
CURRENT = "/srv/airbnb/current"
INSTANCES = ["gunicorn", "gunicorn-api", "gunicorn-odd-even", "gunicorn-onepage"]
SCRIPTS = sorted(path.name for path in (FIXTURE / "web_dynamic" / "static" / "scripts").glob("*.js"))


def dump_rows(table):
    """The rows of one table in the clone's dump, each as its quoted values."""
    rows = []
    for line in re.findall(r"^INSERT INTO `{}` VALUES (.*);$".format(table), DUMP, re.MULTILINE):
        rows += [re.findall(r"'((?:[^'\\]|\\.)*)'", row) for row in re.split(r"\),\(", line)]
    return rows


def env_value(host, key):
    """A setting of the deployed environment file."""
    content = host.file("/etc/airbnb/app.env").content_string
    return re.search(r"^{}=(.*)$".format(key), content, re.MULTILINE).group(1)


def masters(host):
    return {name: gunicorn_processes(host, name)[0] for name in INSTANCES}


def test_the_release_is_the_clone_unchanged_but_for_the_api_origins(host):
    release = host.file(CURRENT).linked_to
    commit = host.check_output("git -C /srv/clone/AirBnB_clone_v4 rev-parse main")
    assert host.file(release + "/.complete").content_string.split() == [release.rsplit("/", 1)[1], commit]
    for path in ("console.py", "models/engine/db_storage.py", "web_flask/100-dump.sql"):
        assert host.file(release + "/" + path).exists, path
    assert not host.file(release + "/tests").exists, "the clone's tests/ must not be deployed"
    assert not host.file(release + "/requirements.txt").exists
    # The one change: the origins of the API calls in the static scripts.
    for name in SCRIPTS:
        original = (FIXTURE / "web_dynamic" / "static" / "scripts" / name).read_text()
        deployed = host.file("{}/web_dynamic/static/scripts/{}".format(release, name)).content_string
        assert deployed == re.sub(r"http://0\.0\.0\.0:5001/api/v1/", "/api/v1/", original), name
    assert "0.0.0.0:5001" in (FIXTURE / "web_dynamic" / "static" / "scripts" / "2-hbnb.js").read_text()


def test_the_clone_is_imported_by_each_worker_not_preloaded(host):
    """The clone's DBStorage does not dispose of its pool after a fork, so no
    master may import it for its workers (they would share its connection)."""
    for name in INSTANCES:
        settings = host.file("/etc/gunicorn/{}.conf.py".format(name)).content_string
        assert "\npreload_app = False\n" in settings, name


def test_mysqlclient_was_built_and_is_what_the_clone_uses(host):
    pip = host.run("/srv/airbnb/current/venv/bin/python -m pip list --format=json")
    installed = {item["name"].lower() for item in json.loads(pip.stdout)}
    assert {"mysqlclient", "flasgger", "flask-cors", "sqlalchemy"} <= installed
    assert host.package("default-libmysqlclient-dev").is_installed


@pytest.mark.parametrize("path", ["/airbnb-onepage/", "/airbnb-onepage"])
def test_onepage_answers_though_the_clone_serves_only_slash(http, path):
    # The fixture's 0-hello_route has no /airbnb-onepage/ route.
    assert "airbnb-onepage" not in (FIXTURE / "web_flask" / "0-hello_route.py").read_text()
    response = http(path)
    assert (response.status, response.text) == (200, "Hello HBNB!")


def test_odd_or_even(http):
    response = http("/airbnb-dynamic/number_odd_or_even/6")
    assert response.status == 200 and "Number: 6 is even" in response.text
    response = http("/airbnb-dynamic/number_odd_or_even/7")
    assert response.status == 200 and "Number: 7 is odd" in response.text


def test_the_api_serves_the_dump_from_mariadb(http, host):
    assert env_value(host, "HBNB_TYPE_STORAGE") == "db"
    assert http("/api/v1/status").json() == {"status": "OK"}
    stats = http("/api/v1/stats").json()
    expected = {name: len(dump_rows(table)) for name, table in
                [("amenities", "amenities"), ("cities", "cities"), ("places", "places"),
                 ("reviews", "reviews"), ("states", "states"), ("users", "users")]}
    assert all(expected.values()) and stats == expected
    states = http("/api/v1/states").json()
    assert sorted(state["name"] for state in states) == sorted(row[3] for row in dump_rows("states"))
    missing = http("/api/v1/states/" + str(uuid.uuid4()))
    assert (missing.status, missing.json()) == (404, {"error": "Not found"})


def test_the_page_shows_the_dump_and_its_assets_load(http):
    page = http("/")
    assert page.status == 200
    for row in dump_rows("states"):
        assert row[3] in page.text
    assets = set(re.findall(r"""(?:src|href)="\.\./(static/[^"?]+)""", page.text))
    assert "static/scripts/2-hbnb.js" in assets and len(assets) >= 4
    for asset in assets:
        assert http("/" + asset).status == 200, asset


def test_the_optional_search_page_is_left_out_cleanly(http, host):
    assert not (FIXTURE / "web_dynamic" / "100-hbnb.py").exists()
    assert not host.file("/etc/systemd/system/gunicorn-search.service").exists
    assert not host.socket("tcp://127.0.0.1:5004").is_listening
    # No route to a dead upstream: the page is simply not there.
    assert http("/100-hbnb").status == 404


def test_the_generated_password_is_still_in_force_after_the_dump(host):
    password = env_value(host, "HBNB_MYSQL_PWD")
    assert password != "hbnb_dev_pwd" and len(password) >= 12
    login = "mariadb -h 127.0.0.1 -u hbnb_dev -p{} hbnb_dev_db -N -e 'SELECT COUNT(*) FROM states'"
    assert host.run(login.format(password)).stdout.strip() == str(len(dump_rows("states")))
    refused = host.run(login.format("hbnb_dev_pwd"))
    assert refused.rc != 0 and "Access denied" in refused.stderr


def test_rerun_keeps_a_new_row_and_loads_the_seed_no_more(http, host):
    name = "Clone state " + uuid.uuid4().hex[:8]
    created = http("/api/v1/states", "POST", {"name": name})
    assert created.status == 201
    before = masters(host)
    result, recap = run_playbook("site.yml", "-v")
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap["clone-deb12"]["changed"] == 0, result.stdout[-3000:]
    assert "the database already holds rows" in result.stdout
    assert "Not deployed: gunicorn-search" in result.stdout
    names = [state["name"] for state in http("/api/v1/states").json()]
    assert name in names and len(names) == len(dump_rows("states")) + 1
    assert masters(host) == before


@pytest.mark.parametrize("branch, message", [
    ("missing-module",
     "instance gunicorn-odd-even (web_flask/6-number_odd_or_even.py is not in the release)"),
    ("broken-requirements",
     "pip could not install no-such-package-hbnb-clone==1.0 from requirements.txt of the release: "
     "ERROR: No matching distribution found for no-such-package-hbnb-clone==1.0"),
])
def test_a_broken_push_stops_before_the_switch(http, host, branch, message):
    release = host.file(CURRENT).linked_to
    before = masters(host)
    result, _ = run_playbook("site.yml", "-e", "airbnb_app_git_version=" + branch)
    # Ansible prints the failed task's result on stderr.
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert message in " ".join(output.split()), output[-3000:]
    assert host.file(CURRENT).linked_to == release
    assert masters(host) == before, "a failed deploy must not restart or stop anything"
    assert http("/airbnb-dynamic/number_odd_or_even/6").status == 200
    assert http("/api/v1/status").json() == {"status": "OK"}
