"""Zero downtime: every way of reloading or redeploying keeps each Gunicorn
master, renews its workers, and fails no request of a load running through
Nginx meanwhile."""
import json

import pytest
from conftest import Load, gunicorn_processes, run_playbook, wait_for_new_workers, wait_until
from stacktest import STACK_INSTANCES, changed_copy_of_the_app, release_note

# The stack is resilience-deb12; resilience-dr is a fresh host for restores.
testinfra_hosts = ["ansible://resilience-deb12"]

INSTANCES = STACK_INSTANCES
# One route per instance, through Nginx.
ROUTES = ["/", "/api/v1/states", "/airbnb-dynamic/number_odd_or_even/7", "/airbnb-onepage/",
          "/api/v1/status", "/2-hbnb", "/100-hbnb"]


def processes(host):
    return {name: gunicorn_processes(host, name) for name in INSTANCES}


def report(what, figures):
    print("{}: requests sent {sent}, failed {failed}, slowest {slowest} s, over {seconds} s, "
          "statuses {statuses}".format(what, **figures))


def assert_reloaded(host, before, counts=None):
    """Each master kept, each worker replaced (by ``counts[name]`` new ones)."""
    for name, (master, workers) in before.items():
        count = (counts or {}).get(name, len(workers))
        renewed = wait_for_new_workers(host, name, workers, count=count, timeout=60)
        assert renewed, "{}: workers {} not renewed".format(name, workers)
        assert renewed[0] == master, "{} was restarted, not reloaded".format(name)


def test_systemctl_reload_of_every_instance_fails_no_request(host):
    before = processes(host)
    load = Load(host, ROUTES)
    for name in INSTANCES:
        host.check_output("systemctl reload %s", name)
    assert_reloaded(host, before)
    figures = load.stop()
    report("systemctl reload of every instance", figures)
    assert figures["sent"] >= 50
    assert figures["failed"] == 0, figures["errors"]


def test_fleet_reload_playbook_fails_no_request(host):
    before = processes(host)
    load = Load(host, ROUTES)
    result, recap = run_playbook("playbooks/reload.yml")
    figures = load.stop()
    report("playbooks/reload.yml", figures)
    assert result.returncode == 0, result.stdout[-3000:]
    assert_reloaded(host, before)
    assert figures["failed"] == 0, figures["errors"]


def test_seed_reload_script_fails_no_request(host):
    before = {"gunicorn": gunicorn_processes(host, "gunicorn")}
    load = Load(host, ["/", "/2-hbnb"])
    host.check_output("/usr/local/bin/4-reload_gunicorn_no_downtime")
    assert_reloaded(host, before)
    figures = load.stop()
    report("4-reload_gunicorn_no_downtime", figures)
    assert figures["failed"] == 0, figures["errors"]


@pytest.fixture(scope="module")
def changed_app(tmp_path_factory):
    """The application with one changed line: a new release to deploy (the
    same one for every test of this module)."""
    return changed_copy_of_the_app(tmp_path_factory.mktemp("changed"),
                                   RELEASE_NOTE)


RELEASE_NOTE = "redeployed by the resilience scenario"


def release_of(host, pid):
    # Only the process's own user may read its working directory (root in a
    # container lacks CAP_SYS_PTRACE).
    return host.check_output("runuser -u airbnb -- readlink /proc/%s/cwd", str(pid))


def test_deploy_of_changed_code_reloads_and_fails_no_request(host, changed_app):
    old_release = host.check_output("readlink -f /srv/airbnb/current")
    assert {release_note(host, name) for name in INSTANCES} != {RELEASE_NOTE}
    before = processes(host)
    load = Load(host, ROUTES)
    result, recap = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(changed_app))
    figures = load.stop()
    report("site.yml with changed code", figures)
    assert result.returncode == 0, result.stdout[-3000:]
    new_release = host.check_output("readlink -f /srv/airbnb/current")
    assert new_release != old_release
    assert_reloaded(host, before)
    # The new workers run the new release: Gunicorn re-resolves its chdir.
    for name, (_, workers) in processes(host).items():
        assert {release_of(host, pid) for pid in workers} == {new_release}, name
    # And they serve its code, including the masters that preload it.
    for name in INSTANCES:
        assert release_note(host, name) == RELEASE_NOTE, name
    assert figures["failed"] == 0, figures["errors"]


def test_deploy_of_changed_gunicorn_settings_reloads_and_fails_no_request(host, tmp_path, changed_app):
    from test_1_security import instance_list
    before = processes(host)
    extra = tmp_path / "settings.json"
    extra.write_text(json.dumps(instance_list(name="gunicorn-api", workers=5)))
    load = Load(host, ROUTES)
    result, recap = run_playbook("site.yml", "-e", "@{}".format(extra),
                                 "-e", "airbnb_app_src_path={}".format(changed_app))
    figures = load.stop()
    report("site.yml with gunicorn-api at 5 workers", figures)
    assert result.returncode == 0, result.stdout[-3000:]
    # Only gunicorn-api's settings changed: it alone renews its workers, 5 now.
    master, workers = wait_for_new_workers(host, "gunicorn-api", before["gunicorn-api"][1],
                                           count=5, timeout=60) or (None, [])
    assert master == before["gunicorn-api"][0] and len(workers) == 5
    # The other instances keep their masters (their workers may have been
    # recycled meanwhile by max_requests).
    for name in ("gunicorn", "gunicorn-odd-even", "gunicorn-onepage", "gunicorn-search"):
        assert gunicorn_processes(host, name)[0] == before[name][0], name
    assert figures["failed"] == 0, figures["errors"]
    # test_4's upgrade goes back to the default settings.


def test_workers_of_a_reload_serve_many_rows_without_crashing(host):
    """The master imports the new code and warms it up before it forks the
    new workers; nothing it leaves behind may crash them.  With many states
    the page "/" allocates enough for the collector to run during the
    workers' first requests: a full collection between the warm-up and the
    fork made every new worker die of SIGSEGV there, and Nginx answer 502."""
    # 1500 rows made by the server (one statement that lists them is too
    # long for a command line): numbers from four tables of digits.
    digits = "(SELECT 0 d{})".format("".join(" UNION ALL SELECT {}".format(d) for d in range(1, 10)))
    numbers = ("SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS n"
               " FROM {0} a, {0} b, {0} c, {0} e".format(digits))
    host.check_output("mariadb hbnb_dev_db -e %s",
                      "INSERT INTO states (id, name, created_at, updated_at)"
                      " SELECT CONCAT('reload-rows-', n), CONCAT('Reload rows ', LPAD(n, 4, '0')),"
                      " NOW(6), NOW(6) FROM ({}) numbers WHERE n < 1500".format(numbers))
    log, crash = "/tmp/airbnb-error.log", "'was sent SIG(SEGV|BUS|ABRT)'"
    try:
        crashes = host.check_output("grep -cE %s %s || true" % (crash, log))
        for _ in range(2):
            _, workers = gunicorn_processes(host, "gunicorn")
            host.check_output("systemctl reload gunicorn")
            assert wait_for_new_workers(host, "gunicorn", workers, timeout=60)
            # The new workers' first seconds of "/", each with 1500 more states.
            load = Load(host, ["/"], threads=2)
            wait_until(lambda: False, timeout=4)
            figures = load.stop(min_overlapping=5)
            report("/ with 1500 more states after a reload", figures)
            assert figures["failed"] == 0, figures["errors"][:5]
        assert host.check_output("grep -cE %s %s || true" % (crash, log)) == crashes, \
            host.check_output("grep -E %s %s | tail -5" % (crash, log))
    finally:
        host.check_output("mariadb hbnb_dev_db -e %s", "DELETE FROM states WHERE id LIKE 'reload-rows-%'")
