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
import json, ssl, sys, time, urllib.request, urllib.error
method, url, body, ctype = sys.argv[1:5]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
if ctype:
    req.add_header("Content-Type", ctype)
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
# The certificate is checked by the TLS tests; these check the site behind it.
unverified = urllib.request.HTTPSHandler(context=ssl._create_unverified_context())
opener = urllib.request.build_opener(NoRedirect, unverified)
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

# Sent to a host's python3: one TLS connection, its outcome as JSON.
TLS_PROBE = (SHARED / "tls_probe.py").read_text()
CERTUTIL = "/usr/bin/certutil"
# Where site.yml's tls_certificate role keeps the site's certificate (selfsigned:
# with the host's lab CA next to it).
TLS_DIR = "/etc/ssl/tls_certificate/airbnb"


def browser_site(host, home):
    """How chromium on the controller reaches the site on ``host``, as a user
    would: ``(base URL, environment, extra switches)``.  With https (site.yml's
    default) the URL names the host, which its certificate covers, chromium
    resolves that name to the host's address, and trusts the host's lab CA
    through an NSS database in ``home`` (chromium reads $HOME/.pki/nssdb):
    no certificate error is ignored.  Without https: http://<address>."""
    addresses = [a for a in host.interface.default("inet").addresses if ":" not in a]
    assert addresses, "the host has no IPv4 address on its default interface"
    if not host.socket("tcp://0.0.0.0:443").is_listening:
        return "http://" + addresses[0], dict(os.environ), []
    if not os.access(CERTUTIL, os.X_OK):
        pytest.fail("{} is missing: run scripts/ensure-chromium.sh".format(CERTUTIL))
    name = host.backend.get_hostname()
    nssdb, ca = Path(home) / ".pki" / "nssdb", Path(home) / "lab-ca.pem"
    nssdb.mkdir(parents=True, exist_ok=True)
    ca.write_text(host.file(TLS_DIR + "/ca.pem").content_string)
    subprocess.run([CERTUTIL, "-N", "-d", "sql:" + str(nssdb), "--empty-password"], check=True)
    subprocess.run([CERTUTIL, "-A", "-d", "sql:" + str(nssdb), "-t", "C,,", "-n", "lab CA", "-i", str(ca)],
                   check=True)
    return ("https://" + name, dict(os.environ, HOME=str(home)),
            ["--host-resolver-rules=MAP {} {}".format(name, addresses[0])])


# testssl.sh findings judged apart from the server's own configuration: a
# certificate from a lab CA, or from Pebble, names no CRL and no OCSP
# responder (Let's Encrypt's do name a CRL), which testssl.sh 3.2 rates HIGH.
# Only this exact finding is set aside; anything else HIGH or CRITICAL fails.
TESTSSL_CERTIFICATE_ONLY = {("cert_revocation", "Neither CRL nor OCSP URI provided")}


def run_testssl(host, url, cafile, artefact):
    """Debian's testssl.sh on ``host`` against ``url``, trusting ``cafile``.
    Writes the findings to .cache/artifacts/<artefact>.json and returns them
    with the HIGH or CRITICAL ones that count."""
    host.check_output("DEBIAN_FRONTEND=noninteractive apt-get install -y -q testssl.sh >/dev/null 2>&1"
                      " || (apt-get update -q >/dev/null && apt-get install -y -q testssl.sh >/dev/null)")
    host.run("rm -f /tmp/testssl.json")
    # Every check of the default run but the client simulations (-c), which
    # rate nothing and took 60% of it (277 s against 113 s on one server):
    # protocols, standard ciphers, forward secrecy, the server's preferences
    # and defaults, headers, vulnerabilities.
    run = host.run("testssl --quiet --color 0 --warnings off -p -s -f -P -S -h -U "
                   "--add-ca %s --jsonfile /tmp/testssl.json %s", cafile, url)
    assert host.file("/tmp/testssl.json").exists, run.stdout[-2000:] + run.stderr[-2000:]
    findings = json.loads(host.file("/tmp/testssl.json").content_string)
    artefacts = PROJECT / ".cache" / "artifacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / (artefact + ".json")).write_text(json.dumps(findings, indent=1))
    serious = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL")
               and (f["id"], f["finding"]) not in TESTSSL_CERTIFICATE_ONLY]
    by_id = {f["id"]: f["finding"] for f in findings}
    # It looked at what matters, and trusted the chain it was given.
    assert {"TLS1", "TLS1_1", "TLS1_3", "cipher_order", "HSTS_time"} <= set(by_id), sorted(by_id)
    assert by_id.get("cert_chain_of_trust") == "passed.", by_id.get("cert_chain_of_trust")
    return by_id, serious


def tcp_listeners(host):
    """{port: {address, ...}} of every listening TCP socket, whatever the
    address (127.0.0.1, ::1, the host's own, the wildcards 0.0.0.0 and ::)."""
    listeners = {}
    for spec in host.socket.get_listening_sockets():
        if spec.startswith("tcp://"):
            address, port = spec[len("tcp://"):].rsplit(":", 1)
            listeners.setdefault(int(port), set()).add(address)
    return listeners


LOOPBACK = {"127.0.0.1", "::1"}


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


def site_base(host):
    """Where the site answers on ``host``: https://127.0.0.1 when Nginx serves
    https there (site.yml's default), else http://127.0.0.1."""
    https = host.socket("tcp://0.0.0.0:443").is_listening
    return "https://127.0.0.1" if https else "http://127.0.0.1"


def requester(host):
    """``request(path, method, body, content_type, port)`` made on ``host``:
    through the site (https when it has it) unless a port is given."""
    base = site_base(host)

    def request(path, method="GET", body=None, content_type=None, port=None):
        if body is not None and not isinstance(body, str):
            body, content_type = json.dumps(body), content_type or "application/json"
        url = base + path if port is None else "http://127.0.0.1:{}{}".format(port, path)
        out = host.check_output("python3 -c %s %s %s %s %s", _REQUEST, method, url,
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
    none of which is in ``old_workers``; return (master, workers) or None.
    A master that had no workers has nothing to renew: that is a failure."""
    count = count or len(old_workers)
    assert count > 0, "{} had no workers to renew".format(name)

    def renewed():
        master, workers = gunicorn_processes(host, name)
        return (master, workers) if master and len(workers) == count \
            and not set(workers) & set(old_workers) else None
    return wait_until(renewed, timeout=timeout)


class Load:
    """A bounded load through Nginx, running inside the host (loopback only)
    as a transient systemd unit while the test breaks things."""

    # What runs in the host: loadgen.py (GETs) or writeload.py (POSTs that
    # keep the acknowledged ids), with the same command line.
    script = "loadgen.py"

    def __init__(self, host, paths, threads=4, max_seconds=900, max_requests=100000):
        self.host, self.max_seconds, self.max_requests = host, max_seconds, max_requests
        self.name = "test-load-" + uuid.uuid4().hex[:8]
        self.out, self.stop_file = "/run/{}.json".format(self.name), "/run/{}.stop".format(self.name)
        urls = [site_base(host) + path for path in paths]
        host.check_output("systemd-run --quiet --collect --unit %s python3 -c" + " %s" * (6 + len(urls)),
                          self.name, (SHARED / self.script).read_text(), self.out, self.stop_file,
                          str(threads), str(max_seconds), str(max_requests), *urls)
        # The figures must cover the whole action, so the load runs first.
        time.sleep(2)
        self.began = self.host.check_output("date +%s.%N")

    def stop(self, min_overlapping=20):
        """End the load and return its figures, once at least
        ``min_overlapping`` of its requests overlapped the action (the time
        between the load's start and this call)."""
        ended = self.host.check_output("date +%s.%N")
        time.sleep(2)
        self.host.check_output("echo %s > %s.tmp && mv %s.tmp %s", "{} {}".format(self.began, ended),
                               self.stop_file, self.stop_file, self.stop_file)
        assert wait_until(lambda: self.host.file(self.out).exists, timeout=60), "the load did not end"
        figures = json.loads(self.host.file(self.out).content_string)
        self.host.run("rm -f %s %s", self.out, self.stop_file)
        # The load must have lasted as long as the action it watched.
        assert figures["seconds"] < self.max_seconds and figures["sent"] < self.max_requests, \
            "the load hit its bound before the action ended: {}".format(figures)
        print("load: {sent} requests, {overlapping} of them overlapping the action, "
              "{failed} failed".format(**figures))
        assert (figures["overlapping"] or 0) >= min_overlapping, \
            "only {} requests overlapped the action: {}".format(figures["overlapping"], figures)
        return figures


class WriteLoad(Load):
    """A bounded write load through Nginx (POST /api/v1/states, a new name
    each): its figures list every write the server acknowledged."""
    script = "writeload.py"

    def __init__(self, host, threads=2, max_seconds=900, max_requests=20000):
        super().__init__(host, ["/api/v1/states"], threads, max_seconds, max_requests)


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


# Each instance's module file in the release, and its loopback port.
INSTANCE_MODULES = {
    "gunicorn": ("web_dynamic/2-hbnb.py", 5003),
    "gunicorn-api": ("api/v1/app.py", 5002),
    "gunicorn-odd-even": ("web_flask/6-number_odd_or_even.py", 5001),
    "gunicorn-onepage": ("web_flask/0-hello_route.py", 5000),
    "gunicorn-search": ("web_dynamic/100-hbnb.py", 5004),
}
RELEASE_NOTE_ROUTE = """

@app.route("/release-note")
def release_note():
    \"\"\"What the test deployed: proof that this code is being served.\"\"\"
    return {note!r}
"""


def changed_copy_of_the_app(directory, note):
    """A copy of the project's app/ in ``directory`` where every instance's
    module also answers ``GET /release-note`` with ``note``: a new release
    for site.yml to deploy, and a way to see which code each instance runs
    (``release_note``)."""
    source = Path(directory) / "app"
    shutil.copytree(PROJECT / "app", source,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "file.json*"))
    for path, _ in INSTANCE_MODULES.values():
        module = source / path
        module.write_text(module.read_text() + RELEASE_NOTE_ROUTE.format(note=note))
    return source


def release_note(host, name):
    """What instance ``name`` answers on its own port at /release-note
    (a 404 page for code that has none)."""
    port = INSTANCE_MODULES[name][1]
    return requester(host)("/release-note", port=port).text
