"""Data safety: what users wrote through the API survives every operation an
operator performs (re-running site.yml, an upgrade of the app, reloads,
restarts, a host restart), and the deployment can never switch on the
drop-all HBNB_ENV=test.  (A re-run with nothing to change is test_1's: it
must report changed=0.)"""
import json
import subprocess

import pytest
from conftest import gunicorn_processes, run_playbook, wait_until
from stacktest import STACK_INSTANCES, changed_copy_of_the_app, requester

# The stack is resilience-deb12; resilience-dr is a fresh host for restores.
testinfra_hosts = ["ansible://resilience-deb12"]

INSTANCES = STACK_INSTANCES
SERVICES = INSTANCES + ["nginx", "mariadb"]
# A sample state renamed by a user: loading the sample data again (every
# site.yml run does) must not undo it.
RENAMED = "Renamed by a user"


@pytest.fixture(scope="module")
def written(host):
    """Objects of every kind written through the API, and a sample object
    changed by a user; returns what reading them back must give."""
    run = requester(host)
    state = run("/api/v1/states", "POST", {"name": "Resilience"}).json()
    city = run("/api/v1/states/{}/cities".format(state["id"]), "POST", {"name": "Uptime"}).json()
    user = run("/api/v1/users", "POST", {"email": "ops@example.com", "password": "pw"}).json()
    place = run("/api/v1/cities/{}/places".format(city["id"]), "POST",
                {"user_id": user["id"], "name": "Safe house", "number_rooms": 3}).json()
    review = run("/api/v1/places/{}/reviews".format(place["id"]), "POST",
                 {"user_id": user["id"], "text": "Never lost a row"}).json()
    amenity = run("/api/v1/amenities", "POST", {"name": "Backups"}).json()
    assert run("/api/v1/places/{}/amenities/{}".format(place["id"], amenity["id"]), "POST").status == 201
    sample = sorted(run("/api/v1/states").json(), key=lambda s: s["id"])[0]
    assert run("/api/v1/states/" + sample["id"], "PUT", {"name": RENAMED}).status == 200
    paths = ["/api/v1/states/" + state["id"], "/api/v1/cities/" + city["id"],
             "/api/v1/users/" + user["id"], "/api/v1/places/" + place["id"],
             "/api/v1/reviews/" + review["id"], "/api/v1/amenities/" + amenity["id"],
             "/api/v1/places/{}/amenities".format(place["id"]),
             "/api/v1/states/" + sample["id"], "/api/v1/stats"]
    snapshot = {path: run(path).json() for path in paths}
    assert snapshot["/api/v1/states/" + sample["id"]]["name"] == RENAMED
    print("written: {}".format(json.dumps(snapshot["/api/v1/stats"])))
    return snapshot


def read_back(host, written):
    run = requester(host)
    return {path: run(path).json() for path in written}


def test_an_upgrade_of_the_app_loses_nothing(host, written, tmp_path):
    """A deploy of new code, with the default settings again (test_2 left
    gunicorn-api at 5 workers), as an operator's upgrade would be."""
    source = changed_copy_of_the_app(tmp_path, "upgraded by the resilience scenario")
    before = host.check_output("readlink -f /srv/airbnb/current")
    result, _ = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(source))
    assert result.returncode == 0, result.stdout[-3000:]
    assert host.check_output("readlink -f /srv/airbnb/current") != before
    assert read_back(host, written) == written


def test_a_restart_of_every_service_loses_nothing(host, written):
    host.check_output("systemctl restart" + " %s" * len(SERVICES), *SERVICES)
    assert wait_until(lambda: requester(host)("/api/v1/status").status == 200, timeout=30)
    assert read_back(host, written) == written


def test_a_host_restart_brings_every_service_back_and_loses_nothing(host, written):
    name = host.backend.get_hostname()
    subprocess.run(["docker", "restart", "-t", "30", name], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)

    def booted():
        state = host.run("systemctl is-system-running").stdout.strip()
        return state if state in ("running", "degraded") else None
    state = wait_until(booted, timeout=60)
    print("host restarted: systemd reports {}".format(state))
    assert state

    def all_up():
        return all(host.service(name).is_running for name in SERVICES)
    assert wait_until(all_up, timeout=60), {s: host.service(s).is_running for s in SERVICES}
    for service in SERVICES:
        assert host.service(service).is_enabled
    for instance in INSTANCES:
        assert len(gunicorn_processes(host, instance)[1]) >= 2, instance
    run = requester(host)
    assert wait_until(lambda: run("/api/v1/states").status == 200, timeout=30)
    for path in ("/", "/airbnb-onepage/", "/airbnb-dynamic/number_odd_or_even/3", "/2-hbnb"):
        assert run(path).status == 200, path
    assert read_back(host, written) == written


def test_no_deployed_environment_carries_hbnb_env(host):
    """HBNB_ENV=test drops every table. It is in no environment file, no
    settings file and no unit of the deployment (the role refuses it: see the
    bad-variable runs of test_1_security)."""
    # grep: 0 found, 1 nothing found, 2 an error (which must fail the test).
    grep = host.run("grep -rlE %s /etc/airbnb /etc/gunicorn /etc/systemd/system /etc/environment",
                    "^HBNB_|HBNB_ENV")
    assert grep.rc in (0, 1), grep.stderr
    files = grep.stdout.split()
    assert "/etc/airbnb/app.env" in files
    for path in files:
        # A comment may name it ("Never HBNB_ENV"); no setting may.
        assert not host.file(path).contains(r"^[^#]*HBNB_ENV\s*="), path
        assert not host.file(path).contains(r"[\"']HBNB_ENV[\"']"), path
    # What every running master and worker was started with, whichever way
    # systemd gave it (Environment=, EnvironmentFile=, its own).  Gunicorn
    # adds the settings' raw_env later, in the process: that comes from the
    # files grepped above.
    for name in INSTANCES:
        master, workers = gunicorn_processes(host, name)
        assert workers, name
        for pid in [master] + workers:
            # Only the process's own user may read it (no CAP_SYS_PTRACE here).
            environ = host.check_output("runuser -u airbnb -- cat /proc/%s/environ | tr '\\0' '\\n'",
                                        str(pid)).splitlines()
            names = {entry.split("=", 1)[0] for entry in environ if entry}
            assert "INVOCATION_ID" in names, (name, pid, sorted(names))  # really read
            assert "HBNB_ENV" not in names, (name, pid)
