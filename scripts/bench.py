#!/usr/bin/env python3
"""Benchmark the stack that site.yml deploys: `make bench`.

One run, on this machine:
  1. creates a fresh systemd container (inventory/bench), times a cold
     `site.yml` converge and a warm one (nothing to change) over Docker; then
     the same on another fresh container over SSH (pipelining and
     ControlPersist, as on a server); then the 4-host fleet of
     inventory/bench-fleet (lb + 2 web + db), cold and warm, over Docker
     and over SSH;
  2. measures every route with wrk, inside the container, on loopback:
     through Nginx (port 80), directly on its Gunicorn port, and on Flask's
     development server (the seed's "run the module directly"), at several
     concurrencies, plus Nginx serving a static file as the ceiling; then,
     with HTTPS switched on (the lab CA's certificate), the same routes
     through Nginx over TLS, next to plain HTTP;
  3. last, the backups: grows the app's database to a few hundred thousand
     rows, times a full backup (hbnb-backup.service), the restore drill, a
     restore of the latest backup and one to a point in time, and shows
     what runs between backups (nothing) and its PSS (`--backups-only`
     runs this stage alone);
  4. writes docs/benchmarks.{json,md} and docs/benchmarks.png and prints the
     table, with each target checked.

The three servers of a route are measured one after another at each
concurrency, so their ratios hold even when the machine is noisy.  Every
load is bounded: a few seconds per measurement, on loopback only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventory" / "bench" / "hosts.yml"
HOST = "bench-web-01"
PUBLISHED_PORT = 8089
# The fleet: its own containers and ports, so it never meets the single host.
FLEET_INVENTORY = ROOT / "inventory" / "bench-fleet" / "hosts.yml"
FLEET_PORT = 8090
FLEET_NETWORK = "bench-fleet"
# The bench's SSH key, made once; authorised in the containers it creates.
SSH_KEY = ROOT / ".cache" / "bench-ssh" / "id_ed25519"
DOCS = ROOT / "docs"

APP_ROOT = "/srv/airbnb"
VENV_PYTHON = f"{APP_ROOT}/current/venv/bin/python"
ENV_FILE = "/etc/airbnb/app.env"
APP_USER = "airbnb"

STATES_WANTED = 100

# Targets (issue 14): the proxy hop nearly free, the stack fitting a 1 GB server.
PROXY_RATIO = 0.92
PSS_LIMIT_MB = 250
COLD_LIMIT = 120
FLEET_RATIO = 1.3

# wrk reports through this script: one JSON line, and a POST body from the
# environment for places_search.
WRK_SCRIPT = r"""
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass
class Route:
    """One route of the original project and where each server answers it."""

    key: str
    title: str
    nginx_path: str
    gunicorn_port: int
    gunicorn_path: str
    module: str
    dev_port: int
    body: str = ""


@dataclass
class Plan:
    concurrencies: list[int]
    duration: int
    warmup: int
    rounds: int
    runs: list[dict] = field(default_factory=list)

    def results(self) -> list[dict]:
        """The best of the rounds for each route, server and concurrency: a
        round slowed down by something else on the machine does not count."""
        best: dict[tuple, dict] = {}
        for run in self.runs:
            key = (run["route"], run["server"], run["connections"])
            if key not in best or run["rps"] > best[key]["rps"]:
                best[key] = run
        return list(best.values())


def routes(amenity_id: str) -> list[Route]:
    search_body = json.dumps({"amenities": [amenity_id]})
    return [
        Route("onepage", "GET /airbnb-onepage/", "/airbnb-onepage/", 5000, "/airbnb-onepage/",
              "web_flask.0-hello_route", 5100),
        Route("odd_even", "GET /airbnb-dynamic/number_odd_or_even/6",
              "/airbnb-dynamic/number_odd_or_even/6", 5001, "/number_odd_or_even/6",
              "web_flask.6-number_odd_or_even", 5101),
        Route("api_states", f"GET /api/v1/states ({STATES_WANTED} states)", "/api/v1/states", 5002,
              "/api/v1/states", "api.v1.app", 5102),
        Route("places_search", "POST /api/v1/places_search (one amenity)", "/api/v1/places_search",
              5002, "/api/v1/places_search", "api.v1.app", 5102, body=search_body),
        Route("hbnb", "GET / (2-hbnb page)", "/", 5003, "/2-hbnb", "web_dynamic.2-hbnb", 5103),
    ]


STATIC = ("static", "GET /static/images/logo.png (Nginx alone)", "/static/images/logo.png")


# -- running things ----------------------------------------------------------------------

def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def in_host(script: str, check: bool = True, env: dict | None = None, host: str = HOST) -> str:
    """Run a shell script inside a bench container; return its stdout."""
    cmd = ["docker", "exec"]
    for name, value in (env or {}).items():
        cmd += ["-e", f"{name}={value}"]
    cmd += [host, "sh", "-c", script]
    done = subprocess.run(cmd, text=True, capture_output=True)
    if check and done.returncode != 0:
        raise SystemExit(f"bench: in {host}: {script}\n{done.stdout}{done.stderr}")
    return done.stdout


def ansible_env(port: int = PUBLISHED_PORT) -> dict:
    env = dict(os.environ)
    env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
    # The fleet's hosts find each other by name on a network of their own.
    env["LAB_NETWORK"] = FLEET_NETWORK if port == FLEET_PORT else ""
    env["LAB_PORT"] = str(port)
    # lab_up.yml also publishes 443; not on the lab's own port (8443).
    env["LAB_HTTPS_PORT"] = str(port + 360)
    env.setdefault("LAB_IMAGE", "appserver-test/debian:12")
    return env


def playbook(name: str, capture: bool = False, extra: list[str] | None = None,
             inventory: Path = INVENTORY, port: int = PUBLISHED_PORT) -> tuple[float, str]:
    """Run a playbook against a bench inventory; return (seconds, output)."""
    cmd = ["ansible-playbook", "-i", str(inventory), name, *(extra or [])]
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, env=ansible_env(port), text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        if capture:
            print(done.stdout)
        raise SystemExit(f"bench: ansible-playbook {name} failed")
    return seconds, done.stdout or ""


def recap_changed(output: str, hosts: tuple[str, ...] = (HOST,)) -> int:
    """The changed= count of the PLAY RECAP, summed over ``hosts``."""
    total = 0
    for host in hosts:
        match = re.search(rf"^{re.escape(host)}\s*:.*?changed=(\d+)", output, re.M)
        if not match:
            raise SystemExit(f"bench: no PLAY RECAP line for {host}")
        total += int(match.group(1))
    return total


# -- the stack ---------------------------------------------------------------------------

def converge(reuse: bool) -> dict:
    if reuse:
        log(f"reusing the running {HOST} (no converge timing)")
        return {}
    log(f"fresh container {HOST} from {ansible_env()['LAB_IMAGE']}")
    fresh(INVENTORY, PUBLISHED_PORT)
    docker = cold_and_warm("over Docker")
    per_call = module_call_seconds()
    log(f"one module call on {HOST} takes {per_call:.2f} s")
    docker["module_call_seconds"] = round(per_call, 3)
    # Another fresh host, with an SSH server, reached over SSH: the rest of
    # the bench runs on it.
    log(f"fresh container {HOST}, reached over SSH")
    fresh(INVENTORY, PUBLISHED_PORT)
    overlay = enable_ssh([HOST])
    docker["ssh"] = cold_and_warm("over SSH", ["-i", str(overlay)])
    return docker


def fresh(inventory: Path, port: int) -> None:
    """New containers for every host of ``inventory``, booted."""
    playbook("playbooks/lab_down.yml", capture=True, inventory=inventory, port=port)
    playbook("playbooks/lab_up.yml", capture=True, inventory=inventory, port=port)


def cold_and_warm(how: str, extra: list[str] | None = None, inventory: Path = INVENTORY,
                  hosts: tuple[str, ...] = (HOST,), port: int = PUBLISHED_PORT) -> dict:
    """Time site.yml on fresh hosts, then again with nothing to change."""
    log(f"cold converge {how}: site.yml on {', '.join(hosts)}")
    cold, cold_out = playbook("site.yml", capture=True, extra=extra, inventory=inventory, port=port)
    log(f"cold converge {how} took {cold:.1f} s")
    warm, warm_out = playbook("site.yml", capture=True, extra=extra, inventory=inventory, port=port)
    changed = recap_changed(warm_out, hosts)
    results = sum(task_results(warm_out, host) for host in hosts)
    log(f"warm converge {how} took {warm:.1f} s, changed={changed}, {results} task results "
        "(loop items counted, skipped ones not)")
    return {"cold_seconds": round(cold, 1), "warm_seconds": round(warm, 1),
            "cold_changed": recap_changed(cold_out, hosts), "warm_changed": changed,
            "warm_task_results": results}


def enable_ssh(hosts: list[str]) -> Path:
    """An SSH server in each container, the bench key authorised for root,
    the host otherwise left as fresh as it was (no package lists); returns an
    inventory that reaches ``hosts`` over SSH at their addresses."""
    if not SSH_KEY.exists():
        SSH_KEY.parent.mkdir(parents=True, exist_ok=True)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", str(SSH_KEY)])
    public = SSH_KEY.with_suffix(".pub").read_text().strip()
    script = ("set -e; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
              "--no-install-recommends openssh-server >/dev/null; "
              "apt-get clean; rm -rf /var/lib/apt/lists/*; "
              f"install -d -m 700 /root/.ssh; echo {shlex.quote(public)} > /root/.ssh/authorized_keys; "
              "systemctl enable --now ssh >/dev/null 2>&1")
    installs = [subprocess.Popen(["docker", "exec", host, "sh", "-c", script]) for host in hosts]
    if any(install.wait() != 0 for install in installs):
        raise SystemExit("bench: could not install an SSH server in the bench containers")
    lines = ["all:", "  hosts:"]
    for host in hosts:
        address = run(["docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                       host], capture_output=True).stdout.strip()
        # ansible_ssh_host, not ansible_host: the load balancer's backends
        # stay named as over Docker, so the configuration does not change.
        lines += [f"    {host}:", "      ansible_connection: ssh", f"      ansible_ssh_host: {address}",
                  "      ansible_user: root", f"      ansible_ssh_private_key_file: {SSH_KEY}",
                  "      ansible_ssh_common_args: >-", "        -o StrictHostKeyChecking=no"
                  " -o UserKnownHostsFile=/dev/null"]
    overlay = SSH_KEY.parent / "inventory.yml"
    overlay.write_text("\n".join(lines) + "\n")
    return overlay


FLEET_HOSTS = ("bench-fleet-lb-01", "bench-fleet-web-01", "bench-fleet-web-02", "bench-fleet-db-01")


def fleet(keep: bool) -> dict:
    """The fleet of inventory/bench-fleet, cold and warm over Docker, then
    on fresh hosts cold and warm over SSH; its containers removed afterwards
    unless ``keep``."""
    log(f"fresh fleet: {', '.join(FLEET_HOSTS)}")
    fresh(FLEET_INVENTORY, FLEET_PORT)
    try:
        result = cold_and_warm("of the fleet over Docker", inventory=FLEET_INVENTORY, hosts=FLEET_HOSTS,
                               port=FLEET_PORT)
        log(f"fresh fleet, reached over SSH: {', '.join(FLEET_HOSTS)}")
        fresh(FLEET_INVENTORY, FLEET_PORT)
        overlay = enable_ssh(list(FLEET_HOSTS))
        result["ssh"] = cold_and_warm("of the fleet over SSH", ["-i", str(overlay)],
                                      inventory=FLEET_INVENTORY, hosts=FLEET_HOSTS, port=FLEET_PORT)
        return result
    finally:
        if not keep:
            playbook("playbooks/lab_down.yml", capture=True, inventory=FLEET_INVENTORY, port=FLEET_PORT)


def task_results(output: str, host: str = HOST) -> int:
    """Task results a run printed for ``host`` ("ok:" or "changed:", one per
    loop item): about one module call each (a few run on the controller only)."""
    return len(re.findall(rf"^(?:ok|changed): \[{re.escape(host)}[\]\s]", output, re.M))


# A task that does nothing but start a module on the host, once per item.
PING_PLAYBOOK = """\
- name: Time module calls
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping once per item
      ansible.builtin.ping:
      loop: "{{ range(bench_calls | int) | list }}"
"""


def module_call_seconds(few: int = 5, many: int = 25) -> float:
    """What one module call costs on the bench host, Ansible's start-up
    excluded: the difference between two runs, per extra call.  A warm
    converge is a sequence of such calls, so this is its unit of cost."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "ping.yml"
        path.write_text(PING_PLAYBOOK)
        short, _ = playbook(str(path), capture=True, extra=["-e", f"bench_calls={few}"])
        long, _ = playbook(str(path), capture=True, extra=["-e", f"bench_calls={many}"])
    return (long - short) / (many - few)


def api(path: str, method: str = "GET", payload: dict | None = None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{PUBLISHED_PORT}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def prepare_data() -> str:
    """Bring the states to STATES_WANTED; return the id of an amenity that some places have."""
    states = api("/api/v1/states")
    for number in range(len(states), STATES_WANTED):
        api("/api/v1/states", "POST", {"name": f"Bench state {number + 1:03d}"})
    count = len(api("/api/v1/states"))
    if count < STATES_WANTED:
        raise SystemExit(f"bench: expected {STATES_WANTED} states, found {count}")
    amenities = sorted(api("/api/v1/amenities"), key=lambda amenity: amenity["name"])
    total = len(api("/api/v1/places_search", "POST", {}))
    for amenity in amenities:
        found = len(api("/api/v1/places_search", "POST", {"amenities": [amenity["id"]]}))
        if 0 < found < total:
            log(f"places_search filters on amenity {amenity['name']!r}: {found} of {total} places")
            return amenity["id"]
    raise SystemExit("bench: no amenity selects a strict subset of the places")


def install_wrk() -> None:
    if not in_host("command -v wrk || true").strip():
        log("installing wrk (Debian) in the bench host")
        in_host("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null")
    subprocess.run(["docker", "exec", "-i", HOST, "sh", "-c", "cat > /root/bench.lua"],
                   input=WRK_SCRIPT, text=True, check=True)


def start_dev_servers(all_routes: list[Route]) -> list[str]:
    """Flask's development server for each app, as the app user, like `python3 -m module`."""
    units = []
    for module, port in sorted({(route.module, route.dev_port) for route in all_routes}):
        unit = f"bench-dev-{port}"
        code = (f"import importlib; importlib.import_module({module!r}).app.run("
                f"host='127.0.0.1', port={port})")
        in_host(f"systemctl stop {unit} 2>/dev/null; systemctl reset-failed {unit} 2>/dev/null; "
                f"systemd-run --quiet --unit {unit} -p User={APP_USER} -p EnvironmentFile={ENV_FILE} "
                f"-p WorkingDirectory={APP_ROOT}/current {VENV_PYTHON} -c {shlex.quote(code)}")
        units.append(unit)
        wait_for(f"http://127.0.0.1:{port}/", unit)
    return units


def wait_for(url: str, what: str, insecure: bool = False) -> None:
    context = "context=__import__('ssl')._create_unverified_context(), " if insecure else ""
    probe = f"{VENV_PYTHON} -c " + shlex.quote(
        "import sys, urllib.request, urllib.error\n"
        f"try: urllib.request.urlopen({url!r}, {context}timeout=2)\n"
        "except urllib.error.HTTPError: pass\n")
    for _ in range(60):
        if subprocess.run(["docker", "exec", HOST, "sh", "-c", probe], capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"bench: {what} does not answer on {url}")


def stop_dev_servers(units: list[str]) -> None:
    for unit in units:
        in_host(f"systemctl stop {unit}", check=False)


# -- memory ------------------------------------------------------------------------------

# Proportional set size of every process of a unit (a page shared by n processes counts
# 1/n in each): what the unit really costs the host, summed over master and workers.
PSS_SCRIPT = r"""
for unit in $(systemctl list-units --type=service --state=running --no-legend --plain \
              'gunicorn*' nginx.service mariadb.service | awk '{print $1}'); do
  total=0; count=0
  # The unit's processes by their cgroup (its path is nested inside a container).
  for pid in $(grep -l "/$unit\$" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
    total=$((total + ${kb:-0})); count=$((count + 1))
  done
  echo "${unit%.service} $count $total"
done
"""


def memory(moment: str) -> dict:
    """PSS per unit (MB) and the total of the Gunicorn instances."""
    units = {}
    for line in in_host(PSS_SCRIPT).split("\n"):
        if line.strip():
            name, count, kib = line.split()
            units[name] = {"processes": int(count), "pss_mb": round(int(kib) / 1024, 1)}
    gunicorn = [unit for name, unit in units.items() if name.startswith("gunicorn")]
    if not gunicorn or any(unit["processes"] == 0 for unit in gunicorn):
        raise SystemExit(f"bench: no process found for a Gunicorn unit: {units}")
    total = round(sum(unit["pss_mb"] for unit in gunicorn), 1)
    detail = ", ".join(f"{name} {unit['pss_mb']} MB/{unit['processes']}"
                       for name, unit in sorted(units.items()))
    processes = sum(unit["processes"] for unit in gunicorn)
    log(f"memory {moment}: Gunicorn PSS {total} MB in {processes} processes; {detail}")
    return {"moment": moment, "units": units, "gunicorn_pss_mb": total}


# -- measuring ---------------------------------------------------------------------------

def wrk(url: str, connections: int, seconds: int, body: str = "") -> dict:
    threads = min(2, connections)
    script = (f"wrk -t{threads} -c{connections} -d{seconds}s --timeout 5s "
              f"-s /root/bench.lua {shlex.quote(url)}")
    output = in_host(script, env={"BENCH_BODY": body})
    line = output.strip().splitlines()[-1]
    result = json.loads(line)
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["error_count"] = sum(result["errors"].values())
    return result


def measure(plan: Plan, server: str, route_key: str, title: str, url: str, connections: int,
            body: str = "") -> None:
    if plan.warmup:
        wrk(url, connections, plan.warmup, body)
    result = wrk(url, connections, plan.duration, body)
    result.update(route=route_key, title=title, server=server, connections=connections, url=url)
    plan.runs.append(result)
    errors = f"  errors={result['errors']}" if result["error_count"] else ""
    log(f"{route_key:14} {server:8} c={connections:<3} {result['rps']:>8.0f} req/s  "
        f"p50={result['p50_us'] / 1000:6.1f} ms  p99={result['p99_us'] / 1000:6.1f} ms{errors}")


def bench(plan: Plan, all_routes: list[Route]) -> None:
    """The three servers of a route one right after the other, round after round."""
    for route in all_routes:
        servers = {"nginx": f"http://127.0.0.1:80{route.nginx_path}",
                   "gunicorn": f"http://127.0.0.1:{route.gunicorn_port}{route.gunicorn_path}",
                   "dev": f"http://127.0.0.1:{route.dev_port}{route.gunicorn_path}"}
        for connections in plan.concurrencies:
            for _ in range(plan.rounds):
                for server, url in servers.items():
                    measure(plan, server, route.key, route.title, url, connections, route.body)
    key, title, path = STATIC
    for connections in plan.concurrencies:
        for _ in range(plan.rounds):
            measure(plan, "nginx", key, title, f"http://127.0.0.1:80{path}", connections)


# HTTPS is measured at these connection counts only: a figure to set next to
# plain HTTP, not a target.
HTTPS_CONCURRENCIES = (1, 32)


def bench_https(plan: Plan, all_routes: list[Route]) -> None:
    """site.yml again with HTTPS on (the lab CA's certificate, made on the
    host), then every route through Nginx over TLS: keep-alive connections,
    so the handshake is paid once per connection, as a browser does."""
    log("converge with site_https=true")
    playbook("site.yml", capture=True, extra=["-e", "site_https=true"])
    wait_for("https://127.0.0.1/airbnb-onepage/", "Nginx over https", insecure=True)
    key, title, path = STATIC
    for connections in HTTPS_CONCURRENCIES:
        for _ in range(plan.rounds):
            for route in all_routes:
                measure(plan, "nginx-https", route.key, route.title, f"https://127.0.0.1:443{route.nginx_path}",
                        connections, route.body)
            measure(plan, "nginx-https", key, title, f"https://127.0.0.1:443{path}", connections)


# -- backups -----------------------------------------------------------------------------

APP_DB = "hbnb_dev_db"
BACKUP_DIR = "/var/backups/hbnb"
BACKUP_STATE = "/var/lib/hbnb-backup"
BACKUP_UNITS = ("hbnb-backup.service", "hbnb-backup-binlogs.service", "hbnb-backup-drill.service")
BACKUP_TIMERS = tuple(unit.replace(".service", ".timer") for unit in BACKUP_UNITS)
# What the backups stage adds to the sample data, parents first: a few hundred
# thousand rows shaped like the application's (a third of what
# scripts/measure-backup-methods.sh generates), and two amenities per place.
GROWTH = (("states", 50), ("cities", 2000), ("users", 25000), ("places", 50000), ("reviews", 150000))
AMENITIES_PER_PLACE = 2
# Rows per INSERT ... SELECT: each one transaction in the binary log.
GROWTH_CHUNK = 25000
# Words drawn at random for names, descriptions and reviews: text that does not
# repeat, so that it compresses about like real text (a repeated one would not).
WORDS = (
    "the a and of to in is it was for on with as at by this that from very nice great clean quiet cozy "
    "small large bright dark modern old charming lovely spacious comfortable room house apartment flat "
    "studio loft villa cabin garden terrace balcony kitchen bed bathroom shower view sea lake mountain "
    "city center street park beach river station host owner guest family friends stay night week "
    "weekend trip visit holiday location close near far walk minutes bus metro train airport shop "
    "restaurant cafe bar market museum would again recommend definitely perfect good bad ok noisy warm "
    "cold wifi fast slow parking free easy check arrival late early helpful friendly welcoming "
    "responsive everything needed towels linen coffee tea breakfast fridge oven washing machine dryer "
    "heating air conditioning sofa table chairs desk tv books games toys cot crib stairs elevator floor "
    "door key code lock safe dog cat pets allowed smoking not we our my they he she you had have has "
    "were are be been stayed loved enjoyed liked found felt really quite just also but so because when "
    "while after before during every each other new renovated decorated furnished equipped located "
    "situated surrounded beautiful amazing wonderful fantastic excellent superb stunning peaceful").split()


def sql(statements: str, database: str = APP_DB) -> list[list[str]]:
    """Run SQL as root in the bench host's MariaDB (on stdin: the generated
    statements are long); return the rows it printed, tab-separated."""
    done = subprocess.run(["docker", "exec", "-i", HOST, "mariadb", "--batch", "--skip-column-names",
                           database], input=statements, text=True, capture_output=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
        raise SystemExit(f"bench: in {HOST}: mariadb: {' '.join(errors) or done.stderr.strip()}\n"
                         f"{statements[:300]}")
    return [line.split("\t") for line in done.stdout.splitlines()]


def uid(table: str, number: str) -> str:
    """A uuid-shaped id (8-4-4-4-12 hex digits) for generated row ``number``
    (an SQL expression) of ``table``: random-looking like the app's uuid4 ids
    (MariaDB's UUID() is time-based), and reproducible, so that a child row
    names its parent without a join."""
    return (f"INSERT(INSERT(INSERT(INSERT(MD5(CONCAT('bench-{table}-', {number})), 21, 0, '-'), "
            "17, 0, '-'), 13, 0, '-'), 9, 0, '-')")


def parent(table: str, multiplier: int) -> str:
    """SQL: the id of a generated row of ``table``, spread over them by ``multiplier``."""
    return uid(table, f"1 + s.seq * {multiplier} % {dict(GROWTH)[table]}")


def word() -> str:
    """SQL: one word of WORDS at random."""
    return f"SUBSTRING_INDEX(SUBSTRING_INDEX(@words, ' ', 1 + FLOOR(RAND() * {len(WORDS)})), ' ', -1)"


def text(shortest: int, longest: int) -> str:
    """SQL: random words cut to between ``shortest`` and ``longest`` characters."""
    words = ", ".join(word() for _ in range(longest // 5))
    return f"LEFT(CONCAT_WS(' ', {words}), {shortest} + FLOOR(RAND() * {longest - shortest}))"


def growth_insert(table: str, low: int, high: int) -> str:
    """INSERT ... SELECT of rows ``low`` to ``high`` of ``table`` (``s.seq``
    the row number): ids, timestamps (updated when created), the parents'
    ids, realistic text lengths."""
    columns = {
        "states": ("name", "CONCAT('Grown state ', s.seq)"),
        "cities": ("state_id, name", f"{parent('states', 1)}, CONCAT('Grown city ', s.seq)"),
        "users": ("email, password, first_name, last_name",
                  "CONCAT('grown', s.seq, '@example.com'), "
                  "CONCAT('scrypt:32768:8:1$', LEFT(MD5(RAND()), 16), '$', SHA2(RAND(), 512)), "
                  f"{word()}, {word()}"),
        "places": ("city_id, user_id, name, description, number_rooms, number_bathrooms, max_guest, "
                   "price_by_night, latitude, longitude",
                   f"{parent('cities', 7919)}, {parent('users', 104729)}, "
                   f"CONCAT({word()}, ' ', {word()}, ' ', s.seq), {text(50, 450)}, "
                   "1 + FLOOR(RAND() * 5), 1 + FLOOR(RAND() * 3), 1 + FLOOR(RAND() * 10), "
                   "20 + FLOOR(RAND() * 480), RAND() * 180 - 90, RAND() * 360 - 180"),
        "reviews": ("place_id, user_id, text",
                    f"{parent('places', 15485863)}, {parent('users', 32452843)}, {text(40, 360)}"),
    }
    names, values = columns[table]
    stamps = "@t := TIMESTAMPADD(MICROSECOND, FLOOR(RAND() * 126000000000000), '2021-01-01'), @t"
    return (f"INSERT INTO {table} (id, created_at, updated_at, {names}) "
            f"SELECT {uid(table, 's.seq')}, {stamps}, {values} FROM seq_{low}_to_{high} s;")


def grow_data() -> dict:
    """Grow the app's database by GROWTH rows (and amenities of the sample
    data for every new place) with INSERT ... SELECT from MariaDB's Sequence
    engine, the foreign keys checked; once: a host that has them keeps them."""
    if sql(f"SELECT COUNT(*) FROM states WHERE id = {uid('states', '1')}")[0][0] != "0":
        log("the app's database is grown already")
        return {"seconds": None}
    started = time.monotonic()
    for table, rows in GROWTH:
        begun = time.monotonic()
        sql(f"SET @words = '{' '.join(WORDS)}';\n" + "\n".join(
            growth_insert(table, low, min(low + GROWTH_CHUNK - 1, rows))
            for low in range(1, rows + 1, GROWTH_CHUNK)))
        log(f"grew {table} by {rows} rows in {time.monotonic() - begun:.1f} s")
    begun = time.monotonic()
    sql("CREATE TEMPORARY TABLE bench_amenities (n INT PRIMARY KEY, id VARCHAR(60)) "
        "SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM amenities;\n"
        "SET @amenities = (SELECT COUNT(*) FROM bench_amenities);\n"
        f"INSERT IGNORE INTO place_amenity (place_id, amenity_id) SELECT {uid('places', 's.seq')}, a.id "
        f"FROM seq_1_to_{dict(GROWTH)['places']} s JOIN seq_1_to_{AMENITIES_PER_PLACE} j "
        "JOIN bench_amenities a ON a.n = (s.seq * 7 + j.seq * 31) % @amenities;")
    log(f"gave every new place {AMENITIES_PER_PLACE} amenities in {time.monotonic() - begun:.1f} s")
    return {"seconds": round(time.monotonic() - started, 1)}


def data_size() -> dict:
    """Rows (counted) and InnoDB data and index size of the app's database, per table and in all."""
    tables = [row[0] for row in sql("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                    f"'{APP_DB}' AND table_type = 'BASE TABLE' ORDER BY table_name")]
    sql(f"ANALYZE TABLE {', '.join(tables)}")
    counts = sql(" UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM `{table}`" for table in tables))
    sizes = sql("SELECT table_name, data_length + index_length FROM information_schema.tables "
                f"WHERE table_schema = '{APP_DB}' AND table_type = 'BASE TABLE'")
    size = {name: int(length) for name, length in sizes}
    rows = {name: int(count) for name, count in counts}
    result = {"rows": sum(rows.values()), "data_mb": round(sum(size.values()) / 1048576, 1),
              "tables": {name: {"rows": rows[name], "mb": round(size[name] / 1048576, 1)} for name in tables}}
    log(f"{APP_DB}: {result['rows']} rows, {result['data_mb']} MB of data and indexes: "
        + ", ".join(f"{name} {table['rows']}" for name, table in result["tables"].items()))
    return result


def timed(script: str) -> tuple[float, str]:
    """Run a shell script in the bench host; (wall seconds, its stdout)."""
    started = time.monotonic()
    output = in_host(script)
    return time.monotonic() - started, output


def start_unit(unit: str) -> dict:
    """Start a oneshot unit (systemctl returns when it has finished, or fails
    with its journal); its wall seconds and the CPU time systemd accounted
    (None where its CPU accounting is off, as in the bench container)."""
    seconds, _ = timed(f"systemctl start {unit} || {{ journalctl -u {unit} -n 30 --no-pager; exit 1; }}")
    cpu = in_host(f"systemctl show -p CPUUsageNSec --value {unit}").strip()
    return {"seconds": round(seconds, 1),
            "cpu_seconds": round(int(cpu) / 1e9, 1) if cpu.isdigit() else None}


def backup_state(entry: str) -> dict:
    """What the last backup or drill wrote for monitoring (backup.json,
    drill.json); it passed, or the bench stops."""
    state = json.loads(in_host(f"cat {BACKUP_STATE}/{entry}.json"))
    if state.get("result") != "passed":
        raise SystemExit(f"bench: {BACKUP_STATE}/{entry}.json: {state}")
    return state


def full_backup(data_mb: float) -> dict:
    """`systemctl start hbnb-backup.service`: a full backup, timed; its size from its manifest."""
    result = start_unit("hbnb-backup.service")
    state = backup_state("backup")
    manifest = json.loads(in_host(f"cat {BACKUP_DIR}/full/{state['backup']}/manifest.json"))
    compressed = sum(entry["bytes"] for entry in manifest["files"].values())
    dumped = datetime_seconds(manifest["started"], manifest["finished"])
    result.update(name=state["backup"], command_seconds=state["seconds"], dump_seconds=dumped,
                  compressed_mb=round(compressed / 1048576, 1),
                  mb_per_second=round(data_mb / result["seconds"], 1),
                  rows=sum(table["rows"] for table in manifest["databases"][APP_DB]["tables"].values()))
    log(f"full backup {result['name']}: {result['seconds']} s ({result['mb_per_second']} MB/s of data; "
        f"the dump {dumped} s), {result['compressed_mb']} MB compressed, "
        f"{result['rows']} rows in its manifest")
    return result


def datetime_seconds(started: str, finished: str) -> float:
    """Seconds between two of the manifest's UTC times."""
    first, last = (datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ") for value in (started, finished))
    return round((last - first).total_seconds(), 1)


def restore_drill() -> dict:
    """`systemctl start hbnb-backup-drill.service`: the latest backup restored
    into a scratch server and compared with its manifest, timed."""
    result = start_unit("hbnb-backup-drill.service")
    state = backup_state("drill")
    result.update(command_seconds=state["seconds"], backup=state["backup"], rows=state.get("rows"))
    log(f"restore drill of {state['backup']}: {result['seconds']} s (its own figure {state['seconds']} s), "
        f"{state.get('rows')} rows compared: passed")
    return result


def restore(to: str = "") -> dict:
    """`hbnb-backup restore latest [--to TIME]`, timed: a pre-restore backup,
    the load into staging databases and its check, the binary logs replayed
    (a point in time), the swap, a post-restore backup."""
    option = f" --to {shlex.quote(to)}" if to else ""
    seconds, output = timed(f"hbnb-backup restore latest{option}")
    done = json.loads(output.strip().splitlines()[-1])
    result = {"seconds": round(seconds, 1), "load_check_swap_seconds": done["seconds"],
              "backup": done["backup"], "binlogs": done.get("binlogs", []),
              "replayed_bytes": done["restored"].get("replayed_bytes", 0)}
    log(f"restore of {done['backup']}{option}: {result['seconds']} s, of which {done['seconds']} s "
        "load, check and swap (the rest: the pre- and post-restore backups)")
    return result


def point_in_time_restore() -> dict:
    """A few writes, a point in time a second after them, one write after it;
    then a restore to that point: the writes before it are back, the one
    after it is not."""
    stamp = "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)"
    for number in range(1, 4):
        sql(f"INSERT INTO states (id, created_at, updated_at, name) VALUES (UUID(), {stamp}, "
            f"'Bench point in time {number}')")
    time.sleep(1.2)
    target = in_host("date '+%Y-%m-%d %H:%M:%S'").strip()
    time.sleep(1.2)
    sql(f"INSERT INTO states (id, created_at, updated_at, name) VALUES (UUID(), {stamp}, "
        "'Bench after the point in time')")
    result = restore(target)
    kept, undone = (int(sql(f"SELECT COUNT(*) FROM states WHERE name LIKE '{name}%'")[0][0])
                    for name in ("Bench point in time", "Bench after the point in time"))
    if kept < 3 or undone:
        raise SystemExit(f"bench: restore to {target}: {kept} of the writes before it, {undone} after it")
    result.update(to=target, writes_before=3, writes_after=1)
    return result


# Processes of the backup units (their cgroups), and their PSS (KiB).
BACKUP_PSS_SCRIPT = r"""
total=0; count=0
for pid in $(grep -l '/hbnb-backup[^/]*\.service$' /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3); do
  kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
  total=$((total + ${kb:-0})); count=$((count + 1))
done
echo "$count $total"
"""


def between_backups() -> dict:
    """What runs between backups: the units' states (oneshot: inactive when
    done), the timers (systemd's own, no process), the processes of the units
    and any backup tool left running, and their PSS."""
    states = dict(zip(BACKUP_UNITS + BACKUP_TIMERS, in_host(
        f"systemctl show -p ActiveState --value {' '.join(BACKUP_UNITS + BACKUP_TIMERS)}").split(),
        strict=True))
    count, kib = (int(value) for value in in_host(BACKUP_PSS_SCRIPT).split())
    tools = [line.strip() for line in in_host("ps -eo pid=,comm=,args=").splitlines()
             if line.split()[1] in ("hbnb-backup", "mariadb-dump", "mariadb-binlog", "zstd", "age")
             or f"{BACKUP_STATE}/drill" in line]
    result = {"units": states, "processes": count + len(tools), "tools_running": tools,
              "extra_pss_mb": round(kib / 1024, 1)}
    log(f"between backups: {', '.join(f'{unit} {state}' for unit, state in states.items())}; "
        f"{result['processes']} backup processes, {result['extra_pss_mb']} MB PSS")
    return result


def backups_host() -> bool:
    """The bench host for --backups-only: the running one, or a fresh one;
    converged by site.yml either way (the backup role as it is now).
    Returns whether it was created here."""
    running = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", HOST], capture_output=True,
                             text=True).stdout.strip() == "true"
    if running:
        log(f"reusing the running {HOST}")
    else:
        log(f"fresh container {HOST} from {ansible_env()['LAB_IMAGE']}")
        fresh(INVENTORY, PUBLISHED_PORT)
    seconds, _ = playbook("site.yml", capture=True)
    log(f"site.yml on {HOST} took {seconds:.1f} s")
    return not running


def backups() -> dict:
    """The backups stage: the app's database grown, then on the host a full
    backup, the restore drill, a restore of the latest backup and one to a
    point in time, each timed; what runs between backups; MariaDB's PSS
    before and after.  Runs last: it leaves the grown data behind."""
    load = [os.getloadavg()]
    growth = grow_data()
    size = data_size()
    # The binary log of the growth archived first, by its own unit: the backup's time is the backup's.
    binlogs = start_unit("hbnb-backup-binlogs.service")
    log(f"binary logs archived in {binlogs['seconds']} s")
    before = memory("before the backups")["units"]["mariadb"]["pss_mb"]
    backup = full_backup(size["data_mb"])
    if backup["rows"] != size["rows"]:
        raise SystemExit(f"bench: the backup's manifest lists {backup['rows']} rows, {size['rows']} counted")
    drill = restore_drill()
    latest = restore()
    if data_size()["rows"] != size["rows"]:
        raise SystemExit("bench: the restore of the latest backup changed the number of rows")
    point = point_in_time_restore()
    idle = between_backups()
    after = memory("after the backups")["units"]["mariadb"]["pss_mb"]
    load.append(os.getloadavg())
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "growth": growth, **size,
            "binlogs": binlogs, "backup": backup, "drill": drill, "restore": latest, "point_in_time": point,
            "between_backups": idle, "mariadb_pss_mb": {"before": before, "after": after},
            "load_average": {"start": [round(value, 2) for value in load[0]],
                             "end": [round(value, 2) for value in load[1]]}}


# -- reporting ---------------------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = in_host(
        ". /etc/os-release; echo \"os=$PRETTY_NAME\"; "
        "echo \"nginx=$(nginx -v 2>&1 | sed 's/.*nginx\\///')\"; "
        f"echo \"gunicorn=$({APP_ROOT}/current/venv/bin/gunicorn --version | sed 's/.*(version //;s/)//')\"; "
        "echo \"mariadb=$(mariadb --version | sed 's/.*Distrib //;s/,.*//;s/.*from //;s/-MariaDB.*//')\"; "
        f"echo \"python=$({VENV_PYTHON} -c 'import platform; print(platform.python_version())')\"; "
        "echo \"wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)\"",
        check=False)
    stack = dict(line.split("=", 1) for line in versions.strip().splitlines() if "=" in line)
    docker = subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"], capture_output=True,
                            text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(), "docker": docker, "container": stack}


def find(results: list[dict], route: str, server: str, connections: int) -> dict | None:
    return next((r for r in results if r["route"] == route and r["server"] == server
                 and r["connections"] == connections), None)


def targets(report: dict) -> list[dict]:
    results, checks = report["results"], []
    at = 32
    for route in report["routes"]:
        nginx, gunicorn, dev = (find(results, route, server, at) for server in ("nginx", "gunicorn", "dev"))
        if nginx and gunicorn:
            ratio = nginx["rps"] / gunicorn["rps"]
            checks.append({"target": f"{route}: through Nginx ≥ {PROXY_RATIO} × direct Gunicorn "
                                     f"at {at} connections",
                           "value": f"{ratio:.2f}", "met": round(ratio, 2) >= PROXY_RATIO})
        if gunicorn and dev:
            ratio = gunicorn["rps"] / dev["rps"]
            checks.append({"target": f"{route}: Gunicorn ≥ 3 × the development server at {at} connections",
                           "value": f"{ratio:.2f}×", "met": round(ratio, 2) >= 3})
    states = find(results, "api_states", "nginx", at)
    if states:
        p99 = states["p99_us"] / 1000
        checks.append({"target": f"GET /api/v1/states, {STATES_WANTED} states, p99 < 50 ms at {at} "
                                 "connections through Nginx", "value": f"{p99:.1f} ms", "met": p99 < 50})
    for sample in report.get("memory", []):
        total = sample["gunicorn_pss_mb"]
        checks.append({"target": f"Gunicorn PSS of the whole stack ≤ {PSS_LIMIT_MB} MB, {sample['moment']}",
                       "value": f"{total:.0f} MB", "met": total <= PSS_LIMIT_MB})
    converge = report.get("converge") or {}
    if converge:
        cold = converge["cold_seconds"]
        checks.append({"target": f"cold site.yml converge of one host ≤ {COLD_LIMIT} s",
                       "value": f"{cold:.1f} s", "met": cold <= COLD_LIMIT})
    fleet = report.get("fleet") or {}
    for how, one, many in transports(converge, fleet):
        checks.append({"target": f"warm site.yml converge of one host < 30 s (changed=0), {how}",
                       "value": f"{one['warm_seconds']:.1f} s, changed={one['warm_changed']}",
                       "met": one["warm_seconds"] < 30 and one["warm_changed"] == 0})
        if many:
            ratio = many["warm_seconds"] / one["warm_seconds"]
            checks.append({"target": f"warm converge of lb + 2 web + db ≤ {FLEET_RATIO} × one host "
                                     f"(changed=0), {how}",
                           "value": f"{many['warm_seconds']:.1f} s = {ratio:.2f} ×, "
                                    f"changed={many['warm_changed']}",
                           "met": round(ratio, 2) <= FLEET_RATIO and many["warm_changed"] == 0})
    idle = (report.get("backups") or {}).get("between_backups")
    if idle:
        checks.append({"target": "nothing runs between backups (no backup process, no extra PSS)",
                       "value": f"{idle['processes']} processes, {idle['extra_pss_mb']:.0f} MB",
                       "met": idle["processes"] == 0})
    clean = all(r["error_count"] == 0 for r in results if r["server"] != "dev")
    checks.append({"target": "no failed request through Nginx or Gunicorn",
                   "value": "none" if clean else "some", "met": clean})
    return checks


def transports(converge: dict, fleet: dict) -> list[tuple[str, dict, dict]]:
    """(how, one host's converge, the fleet's or {}) over Docker, then over SSH
    where the report has it."""
    if not converge:
        return []
    found = [("over Docker", converge, fleet)]
    if "ssh" in converge:
        found.append(("over SSH", converge["ssh"], fleet.get("ssh", {})))
    return found


def cold_and_warm_text(figures: dict) -> str:
    """Cold and warm converge figures, as a sentence's end."""
    return (f"cold {figures['cold_seconds']} s (changed={figures['cold_changed']}), "
            f"warm {figures['warm_seconds']} s (changed={figures['warm_changed']}, "
            f"{figures['warm_task_results']} task results)")


def markdown(report: dict) -> str:
    m = report["machine"]
    stack = m["container"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` ({Path(__file__).name}) on {report['date']}. "
        "Do not edit by hand: run it again.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"Docker {m['docker']}.",
        f"- One systemd container ({stack.get('os', '?')}) with the whole stack, converged by `site.yml`: "
        f"Nginx {stack.get('nginx', '?')}, Gunicorn {stack.get('gunicorn', '?')} "
        f"(sync workers, the role defaults), MariaDB {stack.get('mariadb', '?')}, "
        f"Python {stack.get('python', '?')}.",
    ]
    if report["results"]:
        lines += [
            f"- wrk {stack.get('wrk', '?')} runs inside the same container, on loopback, sharing the same "
            f"{m['cores']} cores with the servers it measures: {report['duration']} s per measurement "
            f"after {report['warmup']} s of warm-up, keep-alive connections (the servers close them when "
            f"they do not keep them alive). The three servers of a route are measured one after the other, "
            f"{report.get('rounds', 1)} rounds; the best round of each counts (all rounds are in the JSON).",
            f"- Data: the sample data set plus states up to {STATES_WANTED} states.",
            "- Servers: **nginx** = through Nginx on port 80 (to Gunicorn's unix socket); **gunicorn** = "
            "directly on the route's Gunicorn TCP port; **dev** = Flask's development server "
            "(`app.run()`, threaded, what running the module directly starts); **nginx-https** = through "
            "Nginx over TLS (see HTTPS).",
        ]
    lines += [
        "",
        "## Targets",
        "",
        "| Target | Measured | Met |",
        "|---|---|---|",
    ]
    for check in report["targets"]:
        lines.append(f"| {check['target']} | {check['value']} | {'yes' if check['met'] else '**no**'} |")
    converge = report.get("converge") or {}
    if converge:
        lines += ["", "## Converge", ""]
        if report.get("converge_date"):
            lines += [f"Measured by a second run, `bench.py --converge-only`, on {report['converge_date']}, "
                      "after the changes that cut the warm run's calls; the other figures are the first "
                      "run's.", ""]
        lines += [f"- Cold (fresh Debian container, packages downloaded): {converge['cold_seconds']} s, "
                  f"changed={converge['cold_changed']}.",
                  f"- Warm (second run, nothing to change): {converge['warm_seconds']} s, "
                  f"changed={converge['warm_changed']}, "
                  f"{converge.get('warm_task_results', '?')} task results (loop items counted, "
                  "skipped tasks not: about one module call each)."]
        per_call = converge.get("module_call_seconds")
        if per_call:
            lines += [f"- One module call (`ansible.builtin.ping` in a loop, Ansible's start-up excluded): "
                      f"{per_call:.2f} s on this machine. The warm converge is worth "
                      f"{converge['warm_seconds'] / per_call:.0f} such calls."]
        if "ssh" in converge:
            lines += ["- Over SSH (another fresh container with an SSH server, reached at its address as "
                      "root with a key; Ansible's defaults: pipelining on, ControlPersist 60 s): "
                      + cold_and_warm_text(converge["ssh"]) + "."]
        fleet = report.get("fleet")
        if fleet:
            lines += ["- Fleet (inventory/bench-fleet: lb + 2 web + db, four fresh containers on this "
                      "machine, task results summed over the four hosts), over Docker: "
                      + cold_and_warm_text(fleet)
                      + ("; over SSH (four other fresh containers): " + cold_and_warm_text(fleet["ssh"])
                         if "ssh" in fleet else "") + "."]
    samples = report.get("memory") or []
    if samples:
        names = sorted({name for sample in samples for name in sample["units"]})
        lines += ["", "## Memory", "",
                  "Proportional set size (a page shared by n processes counts 1/n in each) of every "
                  "process of each unit, from `/proc/<pid>/smaps_rollup`.", "",
                  "| Unit | " + " | ".join(f"{s['moment']}: MB (processes)" for s in samples) + " |",
                  "|---|" + "---:|" * len(samples)]
        for name in names:
            cells = [f"{sample['units'][name]['pss_mb']:.1f} ({sample['units'][name]['processes']})"
                     if name in sample["units"] else "-" for sample in samples]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("| **all Gunicorn instances** | "
                     + " | ".join(f"**{sample['gunicorn_pss_mb']:.1f}**" for sample in samples) + " |")
    https = [r for r in report["results"] if r["server"] == "nginx-https"]
    if https:
        lines += ["", "## HTTPS", "",
                  "The same routes through Nginx over TLS (`site_https: true`, the lab CA's certificate, "
                  "HTTP/1.1 keep-alive: one handshake per connection), measured after the plain-HTTP runs. "
                  "Figures to compare, not targets.", "",
                  "| Route | Connections | https req/s | http req/s | https ÷ http | https p99 ms |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in sorted(https, key=lambda r: (report["routes"].index(r["route"])
                                             if r["route"] in report["routes"] else 99, r["connections"])):
            plain = find(report["results"], r["route"], "nginx", r["connections"])
            ratio = f"{r['rps'] / plain['rps']:.2f}" if plain else "-"
            lines.append(f"| {r['route']} | {r['connections']} | {r['rps']:.0f} | "
                         f"{plain['rps'] if plain else 0:.0f} | {ratio} | {r['p99_us'] / 1000:.1f} |")
    if report.get("backups"):
        lines += backups_markdown(report["backups"])
    if report["results"]:
        lines += requests_markdown(report)
    notes = ROOT / "docs" / "benchmarks-notes.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def requests_markdown(report: dict) -> list[str]:
    """The routes' tables: requests per second and latency."""
    lines = ["", "## Requests per second and latency", "",
             "![Requests per second by route, server and concurrency](benchmarks.png)", ""]
    titles = {r["route"]: r["title"] for r in report["results"]}
    for route in report["routes"] + ["static"]:
        lines += [f"### {titles[route]}", "",
                  "| Connections | Server | req/s | p50 ms | p99 ms | Errors |",
                  "|---:|---|---:|---:|---:|---:|"]
        for r in (r for r in report["results"] if r["route"] == route):
            lines.append(f"| {r['connections']} | {r['server']} | {r['rps']:.0f} | "
                         f"{r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['error_count']} |")
        lines.append("")
    return lines


def backups_markdown(backups: dict) -> list[str]:
    """The "Backups and restores" section: one table, and what its figures mean."""
    backup, drill, latest, point = (backups[key] for key in ("backup", "drill", "restore", "point_in_time"))
    idle, pss, load = backups["between_backups"], backups["mariadb_pss_mb"], backups["load_average"]
    tables = ", ".join(f"{name} {table['rows']}" for name, table in backups["tables"].items())
    inactive = all(state == "inactive" for unit, state in idle["units"].items() if unit.endswith(".service"))
    return [
        "", "## Backups and restores", "",
        f"Measured by the backups stage (`bench.py --backups-only` runs it alone) on {backups['date']}, "
        f"the machine's load average (1, 5, 15 min) {'/'.join(map(str, load['start']))} at its start and "
        f"{'/'.join(map(str, load['end']))} at its end: other work on the machine shows in these times.", "",
        "| Rows | Data MB | Backup s | MB/s | Compressed MB | Drill s | Restore s | Point-in-time restore s "
        "| Extra PSS between backups |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {backups['rows']} | {backups['data_mb']:.1f} | {backup['seconds']:.1f} | "
        f"{backup['mb_per_second']:.1f} | {backup['compressed_mb']:.1f} | {drill['seconds']:.1f} | "
        f"{latest['seconds']:.1f} | {point['seconds']:.1f} | {idle['extra_pss_mb']:.0f} MB |",
        "",
        f"The sample data grown with `INSERT ... SELECT` from MariaDB's Sequence engine ({tables}); data MB "
        "is InnoDB's data and indexes (`information_schema`). Backup s is the wall time of `systemctl start "
        "hbnb-backup.service`: one consistent `mariadb-dump`, every row read by `hbnb-backup` for the "
        f"manifest's fingerprints, compressed by zstd (the dump alone {backup['dump_seconds']:.1f} s"
        + (f", {backup['cpu_seconds']} s of CPU" if backup.get("cpu_seconds") is not None else "")
        + "; the unit runs at `Nice=10` and idle I/O priority), then the "
        "binary logs archived and old backups pruned (the growth's binary log was archived before, by "
        f"`hbnb-backup-binlogs.service`, in {backups['binlogs']['seconds']:.1f} s); MB/s is data MB per "
        "backup second; compressed MB is `dump.sql.zst` as the manifest lists it. Drill s is `systemctl "
        "start hbnb-backup-drill.service`: a scratch MariaDB started, the backup loaded into it and every "
        f"table compared with the manifest ({drill['rows']} rows, passed; its own figure "
        f"{drill['command_seconds']:.1f} s). Restore s is `hbnb-backup restore latest` on the live server: "
        "a pre-restore backup, the load into staging databases and the rows' check, the `RENAME TABLE` "
        f"swap ({latest['load_check_swap_seconds']:.1f} s of it), a post-restore backup; the same rows "
        f"afterwards. Point in time: {point['writes_before']} writes, a time a second later, "
        f"{point['writes_after']} more write, then `hbnb-backup restore latest --to` that time "
        f"({point['replayed_bytes']} bytes of binary log replayed; load, check, replay and swap "
        f"{point['load_check_swap_seconds']:.1f} s): the writes before it are back, the one after it is not. "
        "Between backups "
        + ("nothing runs: the three units are oneshot and inactive (their timers are systemd's own, no "
           "process of their own) and no backup tool is left running, "
           if inactive and not idle["processes"] else f"{idle['processes']} backup processes ran, ")
        + f"so the extra PSS is {idle['extra_pss_mb']:.0f} MB; MariaDB's own PSS was {pss['before']:.0f} MB "
        f"before the backups and {pss['after']:.0f} MB after them.",
    ]


def plot(report: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    route_keys = report["routes"] + ["static"]
    titles = {r["route"]: r["title"] for r in report["results"]}
    figure, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    styles = {"nginx": ("tab:green", "o"), "nginx-https": ("tab:olive", "D"), "gunicorn": ("tab:blue", "s"),
              "dev": ("tab:red", "^")}
    for axis, route in zip(axes.flat, route_keys, strict=True):
        for server, (colour, marker) in styles.items():
            points = [(r["connections"], r["rps"]) for r in report["results"]
                      if r["route"] == route and r["server"] == server]
            if points:
                axis.plot(*zip(*points, strict=True), color=colour, marker=marker, label=server)
        axis.set_title(titles[route], fontsize=9)
        axis.set_xscale("log", base=2)
        axis.set_xticks(report["concurrencies"], [str(c) for c in report["concurrencies"]])
        axis.set_xlabel("concurrent connections")
        axis.set_ylabel("requests/s")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    m = report["machine"]
    figure.suptitle(f"Requests per second: Nginx → Gunicorn vs Gunicorn vs Flask dev server "
                    f"({m['cores']} cores, wrk on loopback, {report['date']})")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true",
                        help=f"measure the running {HOST} instead of creating it (no converge timing)")
    parser.add_argument("--keep", action="store_true", help=f"leave {HOST} running afterwards")
    parser.add_argument("--concurrency", default="1,8,32,64", help="comma-separated connection counts")
    parser.add_argument("--duration", type=int, default=4, help="seconds per measurement (at most 30)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before each measurement")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each point; the best counts")
    parser.add_argument("--output", default=str(DOCS), help="directory for benchmarks.{json,md,png}")
    parser.add_argument("--no-fleet", action="store_true", help="leave out the 4-host fleet's converges")
    parser.add_argument("--no-https", action="store_true", help="leave out the routes over HTTPS")
    parser.add_argument("--converge-only", action="store_true",
                        help="time the converges only (and the fleet's, unless --no-fleet) and put them into "
                             "the benchmarks.json already in --output")
    parser.add_argument("--no-backups", action="store_true", help="leave out the backups stage")
    parser.add_argument("--backups-only", action="store_true",
                        help=f"run the backups stage only, on the running {HOST} (converged again) or a "
                             "fresh one, and put it into the benchmarks.json in --output (made if missing)")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: write benchmarks.md and .png again from benchmarks.json")
    args = parser.parse_args()
    output = Path(args.output)
    if args.report_only:
        report = json.loads((output / "benchmarks.json").read_text())
        report["targets"] = targets(report)
        write(report, output)
        return 0
    if args.converge_only:
        report = json.loads((output / "benchmarks.json").read_text())
        report["converge"] = converge(False)
        if not args.keep:
            playbook("playbooks/lab_down.yml", capture=True)
        if not args.no_fleet:
            report["fleet"] = fleet(args.keep)
        report["converge_date"] = time.strftime("%Y-%m-%d")
        report["targets"] = targets(report)
        write(report, output)
        return 0
    if args.backups_only:
        path = output / "benchmarks.json"
        report = (json.loads(path.read_text()) if path.exists()
                  else {"date": time.strftime("%Y-%m-%d"), "routes": [], "results": []})
        created = backups_host()
        try:
            report["backups"] = backups()
            if "machine" not in report:
                report["machine"] = machine()
        finally:
            if created and not args.keep:
                playbook("playbooks/lab_down.yml", capture=True)
        report["targets"] = targets(report)
        write(report, output)
        return 0
    concurrencies = sorted({int(c) for c in args.concurrency.split(",")})
    if not 1 <= args.duration <= 30 or not 1 <= args.rounds <= 5 or max(concurrencies) > 256:
        parser.error("--duration must be 1..30, --rounds 1..5 and connections at most 256 (bounded load)")

    plan = Plan(concurrencies=concurrencies, duration=args.duration, warmup=args.warmup, rounds=args.rounds)
    report = {"date": time.strftime("%Y-%m-%d"), "concurrencies": concurrencies,
              "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds}
    report["converge"] = converge(args.reuse)
    if not args.no_fleet:
        report["fleet"] = fleet(args.keep)
    units: list[str] = []
    try:
        install_wrk()
        amenity_id = prepare_data()
        all_routes = routes(amenity_id)
        report["routes"] = [route.key for route in all_routes]
        report["memory"] = [memory("idle")]
        units = start_dev_servers(all_routes)
        bench(plan, all_routes)
        report["memory"].append(memory("right after the load"))
        stop_dev_servers(units)
        units = []
        if not args.no_https:
            bench_https(plan, all_routes)
        report["machine"] = machine()
        if not args.no_backups:
            # Last: it leaves a grown database behind.
            report["backups"] = backups()
    finally:
        stop_dev_servers(units)
        if not args.keep and not args.reuse:
            playbook("playbooks/lab_down.yml", capture=True)
    report["results"] = plan.results()
    report["runs"] = plan.runs
    report["targets"] = targets(report)

    write(report, output)
    return 0


def write(report: dict, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "benchmarks.json").write_text(json.dumps(report, indent=2) + "\n")
    (output / "benchmarks.md").write_text(markdown(report) + "\n")
    if report["results"]:
        plot(report, output / "benchmarks.png")
    log(f"wrote {output}/benchmarks.md, benchmarks.json" + (", benchmarks.png" if report["results"] else ""))
    for check in report["targets"]:
        log(f"{'MET ' if check['met'] else 'MISS'} {check['target']}: {check['value']}")


if __name__ == "__main__":
    sys.exit(main())
