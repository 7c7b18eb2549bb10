"""What the stack scenarios' Testinfra tests share: HTTP requests made from
inside the host (as an operator would with curl; the hosts have python3, not
curl), Gunicorn's process tree, a bounded background load through Nginx, and
ansible-playbook runs against the scenario's own inventory."""
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent
PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", SHARED.parent.parent))

# Sent to the host's python3: one HTTP request, the answer as JSON.
_REQUEST = r"""
import json, sys, time, urllib.request, urllib.error
method, url, body, ctype = sys.argv[1:5]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
if ctype:
    req.add_header("Content-Type", ctype)
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(NoRedirect)
started = time.monotonic()
try:
    r = opener.open(req, timeout=90)
    status, headers, data = r.status, dict(r.headers), r.read()
except urllib.error.HTTPError as e:
    status, headers, data = e.code, dict(e.headers), e.read()
print(json.dumps({"status": status, "headers": headers, "body": data.decode("utf-8", "replace"),
                  "seconds": time.monotonic() - started}))
"""

# Debian's chromium for the browser tests (scripts/ensure-chromium.sh), with
# the switches a machine without internet needs; Playwright's own browsers
# are never downloaded.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The Gunicorn instances that site.yml deploys on every web host.
STACK_INSTANCES = ["gunicorn", "gunicorn-api", "gunicorn-odd-even", "gunicorn-onepage", "gunicorn-search"]


class Response:
    def __init__(self, raw):
        self.status = raw["status"]
        self.headers = {k.lower(): v for k, v in raw["headers"].items()}
        self.text = raw["body"]
        self.seconds = raw["seconds"]

    def json(self):
        return json.loads(self.text)


def requester(host):
    """``request(path, method, body, content_type, port)`` made on ``host``."""
    def request(path, method="GET", body=None, content_type=None, port=80):
        if body is not None and not isinstance(body, str):
            body, content_type = json.dumps(body), content_type or "application/json"
        out = host.check_output("python3 -c %s %s %s %s %s", _REQUEST, method,
                                "http://127.0.0.1:{}{}".format(port, path),
                                body or "", content_type or "")
        return Response(json.loads(out))
    return request


@pytest.fixture
def http(host):
    return requester(host)


def wait_until(check, timeout=20.0, step=0.2):
    """Poll ``check`` until it returns a truthy value or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def gunicorn_processes(host, name="gunicorn"):
    """(master pid, sorted worker pids) of a Gunicorn unit; (0, []) if down."""
    master = int(host.check_output("systemctl show -p MainPID --value %s", name) or 0)
    if not master:
        return 0, []
    children = host.run("pgrep -P %s", str(master)).stdout.split()
    return master, sorted(int(pid) for pid in children)


def wait_for_new_workers(host, name, old_workers, count=None, timeout=30):
    """Wait until ``name`` runs ``count`` workers (default: as many as before)
    none of which is in ``old_workers``; return (master, workers) or None."""
    count = count or len(old_workers)

    def renewed():
        master, workers = gunicorn_processes(host, name)
        return (master, workers) if master and len(workers) == count \
            and not set(workers) & set(old_workers) else None
    return wait_until(renewed, timeout=timeout)


class Load:
    """A bounded load through Nginx, running inside the host (loopback only)
    as a transient systemd unit while the test breaks things."""

    def __init__(self, host, paths, threads=4, max_seconds=900, max_requests=100000):
        self.host, self.max_seconds, self.max_requests = host, max_seconds, max_requests
        self.name = "test-load-" + uuid.uuid4().hex[:8]
        self.out, self.stop_file = "/run/{}.json".format(self.name), "/run/{}.stop".format(self.name)
        urls = ["http://127.0.0.1" + path for path in paths]
        host.check_output("systemd-run --quiet --collect --unit %s python3 -c" + " %s" * (6 + len(urls)),
                          self.name, (SHARED / "loadgen.py").read_text(), self.out, self.stop_file,
                          str(threads), str(max_seconds), str(max_requests), *urls)
        # The figures must cover the whole action, so the load runs first.
        time.sleep(2)

    def stop(self):
        time.sleep(2)
        self.host.check_output("touch %s", self.stop_file)
        assert wait_until(lambda: self.host.file(self.out).exists, timeout=60), "the load did not end"
        figures = json.loads(self.host.file(self.out).content_string)
        self.host.run("rm -f %s %s", self.out, self.stop_file)
        # The load must have lasted as long as the action it watched.
        assert figures["seconds"] < self.max_seconds and figures["sent"] < self.max_requests, \
            "the load hit its bound before the action ended: {}".format(figures)
        return figures


def run_playbook(playbook, *args, timeout=1200):
    """ansible-playbook against the scenario's inventory, as Molecule runs it.
    Returns (completed process, {host: recap counters})."""
    inventory = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent
    result = subprocess.run(["ansible-playbook", "-i", str(inventory), str(PROJECT / playbook), *args],
                            capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    recap = {match.group(1): {key: int(value) for key, value in
                              re.findall(r"(\w+)=(\d+)", match.group(2))}
             for match in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", result.stdout, re.MULTILINE)}
    return result, recap


def changed_tasks(output):
    """Names of the tasks that reported a change in ansible-playbook output."""
    names, task = [], None
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):].split("]")[0]
        elif line.startswith("changed:") and task not in names:
            names.append(task)
    return names


def changed_copy_of_the_app(directory, note):
    """A copy of the project's app/ in ``directory`` with one comment line
    added: new content, hence a new release for site.yml to deploy."""
    source = Path(directory) / "app"
    shutil.copytree(PROJECT / "app", source,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "file.json*"))
    module = source / "web_flask" / "0-hello_route.py"
    module.write_text(module.read_text() + "# {}\n".format(note))
    return source
