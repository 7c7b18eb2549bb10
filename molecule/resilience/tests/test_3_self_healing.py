"""Self-healing: killed workers and masters come back by themselves, and a
database outage gives clean, quick errors and heals without a restart."""
import time

from conftest import gunicorn_processes, wait_until
from stacktest import STACK_INSTANCES

# The stack is resilience-deb12; resilience-dr is a fresh host for restores.
testinfra_hosts = ["ansible://resilience-deb12"]

INSTANCES = STACK_INSTANCES


def test_worker_killed_with_sigkill_is_replaced_by_its_master(host, http):
    master, workers = gunicorn_processes(host, "gunicorn-api")
    victim = workers[0]
    started = time.monotonic()
    host.check_output("kill -9 %s", str(victim))

    def replaced():
        now_master, now_workers = gunicorn_processes(host, "gunicorn-api")
        return now_master == master and len(now_workers) == len(workers) \
            and victim not in now_workers
    assert wait_until(replaced, timeout=30)
    print("worker {} replaced by the master in {:.1f} s".format(victim, time.monotonic() - started))
    assert http("/api/v1/states").status == 200


def test_master_killed_with_sigkill_is_restarted_by_systemd(host, http):
    master, workers = gunicorn_processes(host, "gunicorn-api")
    started = time.monotonic()
    host.check_output("kill -9 %s", str(master))

    def restarted():
        now_master, now_workers = gunicorn_processes(host, "gunicorn-api")
        return now_master not in (0, master) and len(now_workers) == len(workers) \
            and http("/api/v1/status").status == 200
    assert wait_until(restarted, timeout=30)
    seconds = time.monotonic() - started
    print("master {} killed: systemd restarted gunicorn-api in {:.1f} s".format(master, seconds))
    assert seconds < 10
    # The orphaned workers of the dead master did not linger.
    assert not set(workers) & set(int(pid) for pid in host.check_output("pgrep -f gunicorn").split())


def masters(host):
    return {name: gunicorn_processes(host, name)[0] for name in INSTANCES}


def test_database_outage_gives_quick_503s_and_heals_without_restart(host, http):
    before = masters(host)
    host.check_output("systemctl stop mariadb")
    try:
        api = http("/api/v1/states")
        print("database stopped: /api/v1/states answered {} in {:.2f} s".format(api.status, api.seconds))
        assert api.status == 503 and api.seconds < 10
        assert api.json() == {"error": "Service unavailable"}
        assert api.headers["retry-after"] == "5"
        assert api.headers["content-type"] == "application/json"
        # The status endpoint and the pages without data still answer.
        assert http("/api/v1/status").json() == {"status": "OK"}
        assert http("/airbnb-onepage/").text == "Hello HBNB!"
        page = http("/")
        assert page.status == 503 and page.seconds < 10
        assert "Service temporarily unavailable" in page.text and "Traceback" not in page.text
    finally:
        host.check_output("systemctl start mariadb")
    started = time.monotonic()
    assert wait_until(lambda: http("/api/v1/states").status == 200, timeout=30)
    print("database back: the API answered 200 again after {:.1f} s".format(time.monotonic() - started))
    assert http("/").status == 200
    assert masters(host) == before, "an instance was restarted"


def test_hung_database_answers_503_before_the_proxy_timeout(host, http):
    """A database that accepts connections but never answers (SIGSTOP) must
    not hold a request past Nginx's proxy timeout (60 s): the driver's read
    timeout turns it into a 503."""
    before = masters(host)
    workers_before = len(gunicorn_processes(host, "gunicorn-api")[1])
    mariadb = host.check_output("systemctl show -p MainPID --value mariadb")
    host.check_output("kill -STOP %s", mariadb)
    try:
        api = http("/api/v1/states")
        print("database hung: /api/v1/states answered {} in {:.1f} s".format(api.status, api.seconds))
        assert api.status == 503 and api.seconds < 30
        assert api.json() == {"error": "Service unavailable"}
    finally:
        host.check_output("kill -CONT %s", mariadb)
    assert wait_until(lambda: http("/api/v1/states").status == 200, timeout=30)
    assert masters(host) == before
    # Every worker of the API is alive and well again.
    master, workers = gunicorn_processes(host, "gunicorn-api")
    assert len(workers) == workers_before
