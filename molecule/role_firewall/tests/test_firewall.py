"""The firewall role checked with real traffic.

fw-target has the role (converge.yml): 8080 open to everyone, 13306 open to
fw-client only, 8082 opened by an extra rule, 8081 listed with no sources (so
closed); an HTTP server listens on each of these ports on every address
(prepare.yml).  fw-client and fw-other connect to it over IPv4 and IPv6; a
dropped connection times out (a refused one would mean the packet got through
to a port without a listener).  The last tests run the role again from the
controller with broken variables, a rule nft rejects, and state absent.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time

import pytest
import testinfra

testinfra_hosts = ["ansible://fw-target"]

TABLE = "hbnb_firewall"
RULES_FILE = f"/etc/nftables.d/{TABLE}.nft"
DROPIN = f"/etc/systemd/system/nftables.service.d/{TABLE}.conf"
EXTRA_RULE = 'tcp dport 8082 accept comment "converge: firewall_extra_rules"'
SCENARIO_DIR = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
CONVERGE = os.path.join(SCENARIO_DIR, "converge.yml")
# The ansible-playbook next to the Python running the tests (the project's virtualenv).
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

# One TCP connection attempt: "open", "timeout" (dropped) or "refused".
PROBE = r"""
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
    print("open")
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
except OSError as exc:
    print("error: %s" % exc)
"""


@pytest.fixture(scope="module")
def hosts(request):
    inventory = request.config.option.ansible_inventory
    return {name: testinfra.get_host("ansible://{}?ansible_inventory={}".format(name, inventory))
            for name in ["fw-target", "fw-client", "fw-other"]}


def addresses(host):
    """{4: IPv4 address, 6: global IPv6 address} of a host on the test network."""
    found = host.check_output("hostname -I").split()
    return {4: next(a for a in found if "." in a), 6: next(a for a in found if ":" in a)}


def probe(source, address, port, timeout=2):
    return source.check_output("python3 -c %s %s %s %s", PROBE, address, str(port), str(timeout))


def connect(host, hosts, source, family, port):
    """Connect from ``source`` to fw-target (``host``) over IPv4 or IPv6."""
    return probe(hosts[source], addresses(host)[family], port)


def chain(host):
    """The input chain as nft's JSON: (chain, [rules])."""
    data = json.loads(host.check_output("nft -j list chain inet %s input", TABLE))["nftables"]
    return (next(item["chain"] for item in data if "chain" in item),
            [item["rule"] for item in data if "rule" in item])


def dport(rule):
    """The destination port(s) a rule matches, or None."""
    for expr in rule["expr"]:
        match = expr.get("match", {})
        if match.get("left", {}).get("payload", {}).get("field") == "dport":
            return match["right"]
    return None


def table(host):
    return host.check_output("nft list table inet %s", TABLE)


def state(host):
    """What a failed run must leave as it was: the live table and its file."""
    return table(host), hashlib.sha256(host.file(RULES_FILE).content).hexdigest()


def dns_works(host):
    """Docker's embedded DNS (127.0.0.11, NAT rules in table ip nat) answers."""
    return host.run("getent hosts fw-client").rc == 0


def started_at(host):
    """When nftables.service last started (changes with every restart)."""
    return host.check_output("systemctl show -p ActiveEnterTimestampMonotonic --value nftables")


def run_role(extra_vars):
    """Run converge.yml again from the controller.  Returns (rc, output, {host: recap})."""
    command = [ANSIBLE_PLAYBOOK if os.path.exists(ANSIBLE_PLAYBOOK) else "ansible-playbook",
               "-i", os.environ["MOLECULE_INVENTORY_FILE"], CONVERGE, "-e", json.dumps(extra_vars)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    recap = {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
             for m in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", result.stdout, re.MULTILINE)}
    return result.returncode, output, recap


# --- the ruleset ---------------------------------------------------------------------


def test_nftables_is_installed_and_loads_the_rules_at_boot(host):
    assert host.package("nftables").is_installed
    service = host.service("nftables")
    assert service.is_enabled
    assert service.is_running
    main = host.file("/etc/nftables.conf").content_string
    statements = [line.strip() for line in main.splitlines() if line.strip() and not line.startswith("#")]
    assert statements == ['include "/etc/nftables.d/*.nft"'], main


def test_input_chain_drops_by_default(host):
    info, rules = chain(host)
    assert (info["type"], info["hook"], info["policy"]) == ("filter", "input", "drop")
    assert rules, "the chain has no rules"


def test_ssh_is_the_first_service_rule(host):
    _, rules = chain(host)
    services = [rule for rule in rules if dport(rule) is not None]
    assert services, "no service rule"
    assert dport(services[0]) == 22 and services[0].get("comment") == "ssh", services[0]


def test_essential_icmp_is_accepted(host):
    listing = table(host)
    v4 = re.search(r"^\s*icmp type \{ (.*) \} accept$", listing, re.MULTILINE)
    v6 = re.search(r"^\s*icmpv6 type \{ (.*) \} accept$", listing, re.MULTILINE)
    assert v4 and v6, listing
    assert set(v4.group(1).split(", ")) >= {
        "destination-unreachable", "time-exceeded", "parameter-problem", "echo-request"}
    assert set(v6.group(1).split(", ")) >= {
        "destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem", "echo-request",
        "nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert"}


def test_extra_rule_comes_after_the_role_rules_and_before_the_log(host):
    _, rules = chain(host)
    comments = [rule.get("comment") for rule in rules]
    assert comments.index("converge: firewall_extra_rules") > comments.index("firewall_allowed_sources[0]")
    assert "log" in rules[-1]["expr"][-1], rules[-1]


def test_dropped_packets_are_logged_at_a_limited_rate(host):
    last = table(host).strip().splitlines()[-3].strip()
    assert last == f'limit rate 5/minute burst 10 packets log prefix "{TABLE} drop: " level info', last


# --- traffic -------------------------------------------------------------------------


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("source", ["fw-client", "fw-other"])
def test_open_port_is_reachable_from_everyone(host, hosts, source, family):
    assert connect(host, hosts, source, family, 8080) == "open"


@pytest.mark.parametrize("family", [4, 6])
def test_port_not_listed_is_dropped_but_served_on_loopback(host, hosts, family):
    assert connect(host, hosts, "fw-client", family, 8081) == "timeout"
    assert probe(host, {4: "127.0.0.1", 6: "::1"}[family], 8081) == "open"


@pytest.mark.parametrize("family", [4, 6])
def test_restricted_port_is_reachable_from_its_source(host, hosts, family):
    assert connect(host, hosts, "fw-client", family, 13306) == "open"


@pytest.mark.parametrize("family", [4, 6])
def test_restricted_port_is_dropped_from_other_addresses(host, hosts, family):
    assert connect(host, hosts, "fw-other", family, 13306) == "timeout"


def test_extra_rule_applies(host, hosts):
    assert connect(host, hosts, "fw-other", 4, 8082) == "open"


def test_ipv6_neighbour_discovery_passes(host, hosts):
    # With an empty neighbour cache, fw-target must accept fw-client's
    # neighbour advertisement to answer it at all.
    host.check_output("ip -6 neigh flush all")
    assert connect(host, hosts, "fw-client", 6, 8080) == "open"


# --- other tables, persistence -------------------------------------------------------


def test_other_tables_and_docker_dns_are_kept(host):
    assert "table ip nat" in host.check_output("nft list tables")
    assert dns_works(host)


def test_rules_survive_a_restart_of_nftables(host):
    before = table(host)
    host.check_output("systemctl restart nftables")
    assert table(host) == before
    assert "table ip nat" in host.check_output("nft list tables"), "the restart flushed Docker's table"
    assert dns_works(host)


def test_stopping_nftables_removes_only_the_role_table(host):
    host.check_output("systemctl stop nftables")
    try:
        tables = host.check_output("nft list tables")
        assert f"table inet {TABLE}" not in tables
        assert "table ip nat" in tables
    finally:
        host.check_output("systemctl start nftables")
    assert f"table inet {TABLE}" in host.check_output("nft list tables")


def test_rules_survive_a_reboot(host, hosts):
    before = table(host)
    subprocess.run(["docker", "restart", "-t", "10", "fw-target"], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while host.run("systemctl is-system-running --wait").stdout.strip() not in ("running", "degraded"):
        assert time.monotonic() < deadline, "fw-target did not boot"
        time.sleep(0.5)
    assert table(host) == before
    assert dns_works(host)
    deadline = time.monotonic() + 20
    while probe(host, "127.0.0.1", 8081) != "open" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert connect(host, hosts, "fw-client", 4, 8080) == "open"
    assert connect(host, hosts, "fw-client", 4, 8081) == "timeout"


# --- runs of the role from the controller --------------------------------------------


def test_changed_rules_are_loaded_in_place(host, hosts):
    started = started_at(host)
    rc, output, recap = run_role({"firewall_allowed_tcp_ports": [8080, 8081]})
    try:
        assert rc == 0, output
        assert "RUNNING HANDLER [firewall : Load the firewall rules]" in output, output
        assert connect(host, hosts, "fw-client", 4, 8081) == "open"
        # Loaded by the handler: nftables.service was not restarted, Docker's table stayed.
        assert started_at(host) == started
        assert dns_works(host)
    finally:
        rc, output, _ = run_role({})
    assert rc == 0, output
    assert connect(host, hosts, "fw-client", 4, 8081) == "timeout"


# --- runs that must fail before changing anything ------------------------------------


def test_rule_nft_rejects_fails_the_run_and_changes_nothing(host):
    before = state(host)
    rc, output, recap = run_role({"firewall_extra_rules": [EXTRA_RULE, "tcp dport 9999 acept"]})
    assert rc != 0, output
    assert "failed to validate" in output and "Error: syntax error" in output, output
    assert "acept" in output, output
    assert recap["fw-target"]["changed"] == 0, output
    assert state(host) == before


@pytest.mark.parametrize(("extra_vars", "named"), [
    ({"firewall_allowed_tcp_ports": [8080, 70000]}, "firewall_allowed_tcp_ports"),
    ({"firewall_ssh_port": 0}, "firewall_ssh_port"),
    ({"firewall_allowed_sources": [{"port": 13306, "sources": ["10.0.0.300"]}]},
     "firewall_allowed_sources[0]"),
    ({"firewall_allowed_sources": [{"port": 13306, "proto": "icmp", "sources": ["10.0.0.3"]}]},
     "firewall_allowed_sources"),
    ({"firewall_allowed_tcp_ports": [8080, 13306]}, "firewall_allowed_tcp_ports"),
], ids=["port-70000", "ssh-port-0", "bad-address", "bad-proto", "port-open-and-restricted"])
def test_invalid_variable_fails_before_any_change(host, extra_vars, named):
    before = state(host)
    rc, output, recap = run_role(extra_vars)
    assert rc != 0, output
    assert named in output, output
    assert "TASK [firewall : Install nftables" not in output, output
    assert recap["fw-target"]["changed"] == 0, output
    assert state(host) == before


# --- state: absent -------------------------------------------------------------------


def test_state_absent_opens_the_host_and_present_closes_it_again(host, hosts):
    rc, output, _ = run_role({"firewall_state": "absent"})
    assert rc == 0, output
    try:
        assert f"table inet {TABLE}" not in host.check_output("nft list tables")
        assert not host.file(RULES_FILE).exists
        assert not host.file(DROPIN).exists
        assert "table ip nat" in host.check_output("nft list tables")
        assert connect(host, hosts, "fw-client", 4, 8081) == "open"
    finally:
        rc, output, _ = run_role({})
    assert rc == 0, output
    assert connect(host, hosts, "fw-client", 4, 8081) == "timeout"
