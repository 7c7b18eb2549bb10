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
  3. writes docs/benchmarks.{json,md} and docs/benchmarks.png and prints the
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
VENV_PYTHON = f"{APP_ROOT}/venv/bin/python"
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


# -- reporting ---------------------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = in_host(
        ". /etc/os-release; echo \"os=$PRETTY_NAME\"; "
        "echo \"nginx=$(nginx -v 2>&1 | sed 's/.*nginx\\///')\"; "
        f"echo \"gunicorn=$({APP_ROOT}/venv/bin/gunicorn --version | sed 's/.*(version //;s/)//')\"; "
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
        f"- wrk {stack.get('wrk', '?')} runs inside the same container, on loopback, sharing the same "
        f"{m['cores']} cores with the servers it measures: {report['duration']} s per measurement after "
        f"{report['warmup']} s of warm-up, keep-alive connections (the servers close them when they do not "
        f"keep them alive). The three servers of a route are measured one after the other, "
        f"{report.get('rounds', 1)} rounds; the best round of each counts (all rounds are in the JSON).",
        f"- Data: the sample data set plus states up to {STATES_WANTED} states.",
        "- Servers: **nginx** = through Nginx on port 80 (to Gunicorn's unix socket); **gunicorn** = "
        "directly on the route's Gunicorn TCP port; **dev** = Flask's development server "
        "(`app.run()`, threaded, what running the module directly starts); **nginx-https** = through "
        "Nginx over TLS (see HTTPS).",
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
    lines += ["", "## Requests per second and latency", "",
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
    notes = ROOT / "docs" / "benchmarks-notes.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


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
    plot(report, output / "benchmarks.png")
    log(f"wrote {output}/benchmarks.md, benchmarks.json, benchmarks.png")
    for check in report["targets"]:
        log(f"{'MET ' if check['met'] else 'MISS'} {check['target']}: {check['value']}")


if __name__ == "__main__":
    sys.exit(main())
