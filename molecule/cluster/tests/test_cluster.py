"""The scaled-out stack, checked from the load balancer: requests through
lb-01 reach both web hosts, both share db-01's database, a web host that
fails is taken out without failed requests, and a rolling deploy by site.yml
under load through lb-01 fails none (test_rollback.py then rolls back)."""
import csv
import json
import time
import uuid

import pytest
from conftest import Load, run_playbook, wait_until
from stacktest import (
    INSTANCE_MODULES,
    STACK_INSTANCES,
    changed_copy_of_the_app,
    changed_tasks,
    gunicorn_processes,
    release_note,
    requester,
)

# The tests run on lb-01 and reach the other hosts through ``cluster``.
testinfra_hosts = ["ansible://lb-01"]
WEB = ["web-01", "web-02"]
# One route per Gunicorn instance.
ROUTES = ["/", "/api/v1/states", "/airbnb-onepage/", "/airbnb-dynamic/number_odd_or_even/7", "/100-hbnb"]


# Read HAProxy's statistics from its runtime socket (the host has no socat).
_SHOW_STAT = r"""
import socket
conn = socket.socket(socket.AF_UNIX)
conn.connect("/run/haproxy/admin.sock")
conn.sendall(b"show stat\n")
data = b""
while True:
    chunk = conn.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode())
"""


def servers(host):
    """{server: (status, last check)} of the "web" backend."""
    text = host.check_output("python3 -c %s", _SHOW_STAT).lstrip("# ")
    # "* L7OK": the last check passed and the next one is running now.
    return {row["svname"]: (row["status"], row["check_status"].removeprefix("* "))
            for row in csv.DictReader(text.splitlines())
            if row["pxname"] == "web" and row["svname"] not in ("FRONTEND", "BACKEND")}


def test_health_checks_see_both_web_hosts_up(host):
    state = wait_until(lambda: servers(host) if all(
        status == "UP" for status, _ in servers(host).values()) else None, timeout=30)
    print("haproxy backend web: {}".format(state))
    assert state == {name: ("UP", "L7OK") for name in WEB}


def test_requests_through_the_balancer_reach_both_web_hosts(host, http):
    served_by = []
    for _ in range(12):
        response = http("/api/v1/status")
        assert response.status == 200 and response.json() == {"status": "OK"}
        served_by.append(response.headers["x-served-by"])
    print("X-Served-By over 12 requests: {}".format(served_by))
    assert set(served_by) == set(WEB)
    assert http("/").status == 200 and "<title>HBnB</title>" in http("/").text


def test_both_web_hosts_share_the_database(cluster):
    on_web_01, on_web_02 = requester(cluster["web-01"]), requester(cluster["web-02"])
    created = on_web_01("/api/v1/states", method="POST", body={"name": "Shared"})
    assert created.status == 201
    state_id = created.json()["id"]
    assert on_web_02("/api/v1/states/" + state_id).json()["name"] == "Shared"
    assert on_web_02("/api/v1/states/" + state_id, method="DELETE").status == 200
    assert on_web_01("/api/v1/states/" + state_id).status == 404


# GETs made on a web host, enough for each of its API workers to keep the answer.
_WARM = r"""
import sys, urllib.request
for _ in range(int(sys.argv[2])):
    urllib.request.urlopen(sys.argv[1], timeout=10).read()
"""


def test_a_write_on_one_web_host_is_read_at_once_on_the_other(cluster):
    """The API keeps its GET answers per worker: a write acknowledged by one
    web host must be in the very next read on the other, whichever worker
    answers it (create, update, delete, three times)."""
    on = {name: requester(cluster[name]) for name in WEB}

    def warm(name, path):
        cluster[name].check_output("python3 -c %s %s %s", _WARM, "http://127.0.0.1" + path, "12")

    token = uuid.uuid4().hex[:8]  # a name no earlier run left behind
    for round_ in range(3):
        name = "Cache {} round {}".format(token, round_)
        warm("web-02", "/api/v1/states")
        created = on["web-01"]("/api/v1/states", method="POST", body={"name": name})
        assert created.status == 201
        assert name in [state["name"] for state in on["web-02"]("/api/v1/states").json()]
        path = "/api/v1/states/" + created.json()["id"]
        warm("web-01", path)
        assert on["web-02"](path, method="PUT", body={"name": name + " renamed"}).status == 200
        assert on["web-01"](path).json()["name"] == name + " renamed"
        warm("web-02", path)
        assert on["web-01"](path, method="DELETE").status == 200
        assert on["web-02"](path).status == 404
        assert name not in [state["name"] for state in on["web-02"]("/api/v1/states").json()]


def test_database_serves_the_web_hosts_only(cluster):
    db = cluster["db-01"]
    grants = set(db.check_output("mariadb -N -B -e %s",
                                 "SELECT host FROM mysql.user WHERE user = 'hbnb_dev'").split())
    web_addresses = {cluster[name].interface.default().addresses[0] for name in WEB}
    print("hbnb_dev may connect from {}".format(sorted(grants)))
    assert grants == web_addresses
    address = db.interface.default().addresses[0]
    assert db.socket("tcp://{}:3306".format(address)).is_listening
    for name in WEB + ["lb-01"]:
        assert not cluster[name].exists("mariadbd"), name
    lb = cluster["lb-01"]
    assert not lb.exists("nginx") and not lb.file("/etc/systemd/system/gunicorn.service").exists


def test_a_failing_web_host_is_taken_out_without_failed_requests(host, cluster):
    load = Load(host, ROUTES)
    cluster["web-02"].check_output("systemctl stop nginx")
    try:
        assert wait_until(lambda: servers(host)["web-02"][0].startswith("DOWN"), timeout=30)
    finally:
        cluster["web-02"].check_output("systemctl start nginx")
    assert wait_until(lambda: servers(host)["web-02"][0] == "UP", timeout=30)
    figures = load.stop()
    print("web-02 stopped and started under load: requests sent {sent}, failed {failed}, "
          "statuses {statuses}".format(**figures))
    assert figures["failed"] == 0, figures["errors"]


def haproxy_processes(host):
    master = host.check_output("systemctl show -p MainPID --value haproxy")
    return master, sorted(host.check_output("pgrep -P %s", master).split())


def test_haproxy_reloads_without_dropping_a_request(host):
    master, workers = haproxy_processes(host)
    load = Load(host, ROUTES)
    for _ in range(3):
        host.check_output("systemctl reload haproxy")
        time.sleep(2)
    figures = load.stop()
    print("3 HAProxy reloads under load: requests sent {sent}, failed {failed}, "
          "statuses {statuses}".format(**figures))
    # The old workers leave once their last connection is done.
    assert wait_until(lambda: haproxy_processes(host)[0] == master
                      and not set(haproxy_processes(host)[1]) & set(workers), timeout=30)
    assert figures["failed"] == 0, figures["errors"]


@pytest.fixture(scope="module")
def changed_app(tmp_path_factory):
    return with_package_route(changed_copy_of_the_app(tmp_path_factory.mktemp("changed"), ROLLED_OUT))


# The small package the rollback tests install in one release only.
PACKAGE, PACKAGE_VERSION = "six", "1.17.0"
PACKAGE_ROUTE = """

@app.route("/release-package")
def release_package():
    \"\"\"Which version of {package} this code runs on, or "absent".\"\"\"
    import importlib.metadata
    try:
        return importlib.metadata.version({package!r})
    except importlib.metadata.PackageNotFoundError:
        return "absent"
"""


def with_package_route(source):
    """Every instance's module of the app in ``source`` also answers
    ``GET /release-package``: what the running interpreter has installed."""
    for path, _ in INSTANCE_MODULES.values():
        module = source / path
        module.write_text(module.read_text() + PACKAGE_ROUTE.format(package=PACKAGE))
    return source


def virtualenvs(host):
    """The virtualenvs the web host keeps (one per set of requirements)."""
    return host.check_output("ls /srv/airbnb/venvs").split()


def release_package(host, name):
    """What instance ``name`` answers on its own port at /release-package."""
    return requester(host)("/release-package", port=INSTANCE_MODULES[name][1]).text


ROLLED_OUT = "rolled out by the cluster scenario"


def test_rolling_deploy_under_load_fails_no_request(host, cluster, changed_app):
    releases = {name: cluster[name].check_output("readlink -f /srv/airbnb/current") for name in WEB}
    assert release_note(cluster[WEB[0]], "gunicorn-api") != ROLLED_OUT
    masters = {name: {instance: gunicorn_processes(cluster[name], instance)[0]
                      for instance in STACK_INSTANCES} for name in WEB}
    load = Load(host, ROUTES)
    result, recap = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(changed_app))
    figures = load.stop()
    print("rolling deploy through lb-01: requests sent {sent}, failed {failed}, slowest {slowest} s, "
          "over {seconds} s, statuses {statuses}".format(**figures))
    assert result.returncode == 0, result.stdout[-3000:]
    for name in WEB:
        assert cluster[name].check_output("readlink -f /srv/airbnb/current") != releases[name]
        assert recap[name]["changed"] > 0
        # Every instance serves the new code (the masters that preload the
        # application imported it again on reload).
        for instance in STACK_INSTANCES:
            assert release_note(cluster[name], instance) == ROLLED_OUT, (name, instance)
            # New code on the same packages: new workers, the same masters.
            assert gunicorn_processes(cluster[name], instance)[0] == masters[name][instance], (name, instance)
    # Both change: one web host at a time (a first batch of one, then 25% of
    # two), each drained, the second only after the first is back.
    assert switch_batches(result.stdout) == len(WEB)
    assert drained(result.stdout) == WEB
    assert figures["sent"] >= 100
    assert figures["failed"] == 0, figures["errors"]
    assert servers(host) == {name: ("UP", "L7OK") for name in WEB}
    # Same requirements: the new release runs on the virtualenv already built.
    assert all(len(virtualenvs(cluster[name])) == 1 for name in WEB)


SWITCH_PLAY = "PLAY [Web servers, in batches when they change - switch]"


def switch_batches(output):
    """How many batches the web hosts were switched in (a banner each)."""
    return output.count(SWITCH_PLAY)


def drained(output):
    """The web hosts that site.yml drained from the load balancer."""
    hosts = set()
    for section in output.split("TASK [Drain this host from the load balancers")[1:]:
        body = section.split("TASK [", 1)[0]
        hosts |= {name for name in WEB if "ok: [{} -> lb-01]".format(name) in body}
    return sorted(hosts)


def test_a_run_with_nothing_to_change_changes_nothing(changed_app):
    started = time.monotonic()
    result, recap = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(changed_app))
    assert result.returncode == 0, result.stdout[-3000:]
    print("re-run recap: {}; took {:.0f} s".format(json.dumps(recap), time.monotonic() - started))
    assert set(recap) == {"lb-01", "web-01", "web-02", "db-01"}
    assert all(counts["changed"] == 0 for counts in recap.values()), changed_tasks(result.stdout)
    # Nothing changes: every web host switched at once, none drained.
    assert switch_batches(result.stdout) == 1
    assert drained(result.stdout) == []


def test_a_change_on_one_web_host_drains_that_host_only(host, changed_app, tmp_path):
    # A setting of web-02's alone: its environment file changes.
    extra = tmp_path / "web-02-only.yml"
    extra.write_text("airbnb_app_environment: \"{{ {'HBNB_FLEET_TEST': '1'} "
                     "if inventory_hostname == 'web-02' else {} }}\"\n")
    runs = []
    load = Load(host, ROUTES)
    for extra_vars in (["-e", "@{}".format(extra)], []):  # changed, then back
        result, recap = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(changed_app),
                                     *extra_vars)
        assert result.returncode == 0, result.stdout[-3000:]
        runs.append((result.stdout, recap))
    figures = load.stop()
    print("two runs changing web-02 only: requests sent {sent}, failed {failed}, "
          "statuses {statuses}".format(**figures))
    for output, recap in runs:
        assert drained(output) == ["web-02"]
        assert recap["web-01"]["changed"] == 0 and recap["web-02"]["changed"] > 0
        # Something changes: a first batch of one host, then the next.
        assert switch_batches(output) == len(WEB)
    assert figures["sent"] >= 100
    assert figures["failed"] == 0, figures["errors"]
    assert servers(host) == {name: ("UP", "L7OK") for name in WEB}
