"""The gunicorn role alone: services, workers, sandbox, graceful reload."""
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))
from stacktest import tcp_listeners  # noqa: E402  (shared with the stack scenarios)

INSTANCES = ["hello-tcp", "hello-sock"]


def get(host, url, unix_socket=None):
    """Body of a GET, fetched with the host's python3 (the image has no curl)."""
    if unix_socket:
        code = (
            "import socket;s=socket.socket(socket.AF_UNIX);s.connect({!r});"
            "s.sendall(b'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n');"
            "print(s.makefile('rb').read().split(b'\\r\\n\\r\\n',1)[1].decode())"
        ).format(unix_socket)
    else:
        code = ("import urllib.request;"
                "print(urllib.request.urlopen({!r}, timeout=5).read().decode())").format(url)
    return host.check_output("python3 -c %s", code)


def master_and_workers(host, name):
    master = int(host.check_output("systemctl show -p MainPID --value %s", name))
    workers = host.check_output("pgrep -P %s", str(master)).split()
    return master, sorted(int(pid) for pid in workers)


@pytest.mark.parametrize("name", INSTANCES)
def test_instances_are_enabled_and_running_as_gunicorn(host, name):
    service = host.service(name)
    assert service.is_enabled and service.is_running
    master, _ = master_and_workers(host, name)
    assert host.process.get(pid=master).user == "gunicorn"


def test_worker_counts(host):
    assert len(master_and_workers(host, "hello-tcp")[1]) == 2
    assert len(master_and_workers(host, "hello-sock")[1]) == 1


def test_tcp_instance_answers_on_loopback_only(host):
    assert tcp_listeners(host).get(8001) == {"127.0.0.1"}
    assert get(host, "http://127.0.0.1:8001/").startswith("hello from")


def test_socket_instance_answers_on_its_unix_socket(host):
    assert host.file("/run/hello-sock/hello.sock").is_socket
    assert get(host, None, unix_socket="/run/hello-sock/hello.sock").startswith("hello from")


PROXY_SOCKET = "/run/hello-tcp/proxy/gunicorn.sock"


def test_proxy_socket_is_open_to_its_group_only(host):
    directory = host.file("/run/hello-tcp/proxy")
    assert (directory.user, directory.group, directory.mode) == ("gunicorn", "www-data", 0o750)
    assert host.file(PROXY_SOCKET).is_socket
    connect = ("runuser -u {} -- python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); "
               "s.connect(\"{}\"); s.sendall(b\"GET / HTTP/1.0\\r\\n\\r\\n\"); "
               "print(s.makefile(\"rb\").read().decode())'")
    assert "hello from" in host.check_output(connect.format("www-data", PROXY_SOCKET))
    stranger = host.run(connect.format("nobody", PROXY_SOCKET))
    assert stranger.rc != 0 and "Permission denied" in stranger.stderr


def test_master_preloads_modules_for_its_workers(host):
    master, workers = master_and_workers(host, "hello-tcp")
    # Neither Gunicorn nor the tiny app import sqlite3: only the preload maps it.
    for pid in [master] + workers:
        assert "_sqlite3" in host.file("/proc/{}/maps".format(pid)).content_string
    _, plain_workers = master_and_workers(host, "hello-sock")
    assert "_sqlite3" not in host.file("/proc/{}/maps".format(plain_workers[0])).content_string


def test_control_socket_in_the_runtime_directory(host):
    assert host.file("/run/hello-tcp/control.sock").is_socket
    assert not host.file("/var/log/gunicorn/hello-tcp-error.log").contains("Control server error")


def test_environment_file_reaches_the_workers(host):
    assert "greeting=bonjour" in get(host, "http://127.0.0.1:8001/")


def test_logs_go_to_files_owned_by_the_service_user(host):
    log = host.file("/var/log/gunicorn/hello-tcp-error.log")
    assert log.user == "gunicorn" and log.mode == 0o640
    assert log.contains("Booting worker with pid")
    get(host, "http://127.0.0.1:8001/")
    assert host.file("/var/log/gunicorn/hello-tcp-access.log").contains('"GET / HTTP/1.1" 200')


def test_removed_instance_is_gone(host):
    # prepare.yml deployed it and saw it answer; the converge removed it.
    assert not host.file("/etc/systemd/system/hello-old.service").exists
    assert not host.file("/etc/gunicorn/hello-old.conf.py").exists
    assert host.run("systemctl is-enabled hello-old").rc != 0
    assert "could not be found" in host.run("systemctl status hello-old").stderr
    assert host.run("pgrep -f '[h]ello-old'").rc == 1
    listening = host.check_output("ss -Htln")
    assert ":8009 " not in listening, listening
    # The log files stay (logs outlive the service), the runtime directory not.
    assert not host.file("/run/hello-old").exists


SOCK = "/run/hello-sock/hello.sock"
APP = "/opt/hello/app/hello.py"


def loaded_by(body):
    return int(re.search(r"loaded-by=(\d+)", body).group(1))


def first_served_by(body):
    return int(re.search(r"first-served-by=(\d+)", body).group(1))


def test_preload_app_imports_the_application_in_the_master(host):
    master, _ = master_and_workers(host, "hello-sock")
    body = get(host, None, unix_socket=SOCK)
    assert loaded_by(body) == master
    # The master's warm-up request came before any the worker served.
    assert first_served_by(body) == master
    # Without preload_app each worker imports it, and serves its first request.
    _, workers = master_and_workers(host, "hello-tcp")
    body = get(host, "http://127.0.0.1:8001/")
    assert loaded_by(body) in workers and first_served_by(body) in workers


def test_reload_under_preload_app_loads_new_code_under_the_same_master(host):
    master, workers = master_and_workers(host, "hello-sock")
    edition = "second{}".format(int(time.time()))
    host.check_output("echo %s >> %s", "EDITION = '{}'".format(edition), APP)
    try:
        host.check_output("systemctl reload hello-sock")
        for _ in range(50):
            body = get(host, None, unix_socket=SOCK)
            if "edition=" + edition in body:
                break
            time.sleep(0.2)
        assert body.endswith("edition=" + edition), body
        new_master, new_workers = master_and_workers(host, "hello-sock")
        assert new_master == master and not set(new_workers) & set(workers)
        # Imported again by the master, not by the new worker, and warmed up.
        assert loaded_by(body) == master and first_served_by(body) == master
    finally:
        host.check_output("sed -i '$d' %s", APP)
        host.check_output("systemctl reload hello-sock")


def test_settings_check_passes(host):
    host.check_output("runuser -u gunicorn -- /opt/hello/venv/bin/gunicorn --check-config "
                      "--config /etc/gunicorn/hello-tcp.conf.py")


@pytest.mark.parametrize("name", INSTANCES)
def test_units_are_sandboxed(host, name):
    out = host.check_output("systemd-analyze security --no-pager %s", name)
    score = float(out.strip().splitlines()[-1].split("level for")[1].split(":")[1].split()[0])
    print("{} exposure {}".format(name, score))
    assert score <= 3.0


def test_reload_renews_every_worker_under_the_same_master(host):
    master, workers = master_and_workers(host, "hello-tcp")
    host.check_output("systemctl reload hello-tcp")
    for _ in range(50):
        new_master, new_workers = master_and_workers(host, "hello-tcp")
        if len(new_workers) == 2 and not set(new_workers) & set(workers):
            break
        time.sleep(0.2)
    assert new_master == master
    assert len(new_workers) == 2 and not set(new_workers) & set(workers)


def test_killed_worker_is_replaced(host):
    master, workers = master_and_workers(host, "hello-tcp")
    host.check_output("kill -9 %s", str(workers[0]))
    for _ in range(50):
        _, now = master_and_workers(host, "hello-tcp")
        if len(now) == 2 and workers[0] not in now:
            break
        time.sleep(0.2)
    assert len(now) == 2 and workers[0] not in now


def test_killed_master_is_restarted_by_systemd(host):
    master, _ = master_and_workers(host, "hello-sock")
    host.check_output("kill -9 %s", str(master))
    for _ in range(100):
        time.sleep(0.2)
        new_master = int(host.check_output("systemctl show -p MainPID --value hello-sock"))
        if new_master not in (0, master) and host.service("hello-sock").is_running:
            break
    assert new_master not in (0, master)
    assert get(host, None, unix_socket="/run/hello-sock/hello.sock").startswith("hello from")
