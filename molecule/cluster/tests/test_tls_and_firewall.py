"""HTTPS and the host firewalls of the scaled-out stack, seen from acme-01: a
host in no group of site.yml, on the same network, as any outsider would be.

lb-01 terminates TLS for hbnb.test and www.hbnb.test with a certificate that
Pebble (Let's Encrypt's test server, on acme-01) issued through HTTP-01 on
port 80, renews it without Ansible under load with no failed request, and
testssl.sh finds nothing HIGH or CRITICAL there.  Each host's nftables
firewall lets through only what it should."""
import json
import re
import time

import pytest
import testinfra
from conftest import Load
from stacktest import run_testssl

testinfra_hosts = ["ansible://acme-01"]
NAMES = ["hbnb.test", "www.hbnb.test"]
ROUTES = ["/", "/api/v1/states", "/airbnb-onepage/", "/airbnb-dynamic/number_odd_or_even/7"]
PEBBLE_ROOT = "/tmp/pebble-root.pem"
CERT_DIR = "/etc/ssl/tls_certificate/airbnb"


@pytest.fixture(scope="module")
def cluster(request):
    inventory = request.config.option.ansible_inventory
    return {name: testinfra.get_host("ansible://{}?ansible_inventory={}".format(name, inventory))
            for name in ["lb-01", "web-01", "web-02", "db-01"]}


@pytest.fixture(scope="module")
def pebble_root(host):
    """Pebble's issuing root: it makes a new one each time it starts, and
    publishes it on its management port.  Clients trust that and nothing else."""
    host.check_output("python3 -c %s", "import ssl, urllib.request; open('%s', 'wb').write("
                      "urllib.request.urlopen('https://127.0.0.1:15000/roots/0', "
                      "context=ssl._create_unverified_context()).read())" % PEBBLE_ROOT)
    return PEBBLE_ROOT


# One https request from acme-01 to the site by name, trusting only Pebble's root.
_GET = r"""
import json, ssl, sys, urllib.request, urllib.error
url, cafile = sys.argv[1:3]
context = ssl.create_default_context(cafile=cafile)
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
try:
    r = opener.open(url, timeout=15)
    status, headers = r.status, dict(r.headers)
except urllib.error.HTTPError as e:
    status, headers = e.code, dict(e.headers)
except OSError as e:
    status, headers = repr(e), {}
print(json.dumps({"status": status, "headers": {k.lower(): v for k, v in headers.items()}}))
"""


def get(host, url, cafile):
    return json.loads(host.check_output("python3 -c %s %s %s", _GET, url, cafile))


def served_certificate(host, name="hbnb.test"):
    """Serial, issuer and names of the certificate lb-01 sends for ``name``."""
    text = host.check_output(
        "openssl s_client -connect %s:443 -servername %s </dev/null 2>/dev/null"
        " | openssl x509 -noout -serial -issuer -ext subjectAltName", name, name)
    return {"serial": re.search(r"serial=(\w+)", text).group(1),
            "issuer": re.search(r"issuer=(.*)", text).group(1),
            "names": sorted(re.findall(r"DNS:([\w.-]+)", text))}


# --- TLS on the load balancer -----------------------------------------------------------


def test_the_balancer_serves_a_certificate_from_the_acme_server_for_every_name(host, pebble_root):
    certificate = served_certificate(host)
    assert "Pebble" in certificate["issuer"], certificate
    assert certificate["names"] == sorted(NAMES)
    for name in NAMES:
        answer = get(host, "https://{}/api/v1/status".format(name), pebble_root)
        assert answer["status"] == 200, (name, answer)
        assert answer["headers"]["strict-transport-security"] == "max-age=31536000"


def test_http_on_the_balancer_answers_301_to_https(host, pebble_root):
    answer = get(host, "http://www.hbnb.test/api/v1/states?x=1", pebble_root)
    assert answer["status"] == 301
    assert answer["headers"]["location"] == "https://www.hbnb.test/api/v1/states?x=1"


def test_renewal_without_ansible_under_load_fails_no_request(host, cluster, pebble_root):
    """certbot renews on lb-01 as its timer would; its deploy hook rebuilds
    HAProxy's PEM and reloads it gracefully while https requests keep coming."""
    lb = cluster["lb-01"]
    before = served_certificate(host)
    master = lb.check_output("systemctl show --property MainPID --value haproxy")
    load = Load(lb, ROUTES)
    started = time.monotonic()
    # As certbot.timer runs it (certbot.service's environment: the CA bundle that
    # trusts Pebble's own https), forced because the certificate is not due yet.
    renew = lb.run("env $(systemctl show --property Environment --value certbot.service)"
                   " certbot renew --force-renewal --cert-name airbnb --no-random-sleep-on-renew")
    renewing = time.monotonic() - started
    figures = load.stop()
    print("renewal took {:.1f} s; load through lb-01's https: {} requests in {:.1f} s, {} failed"
          .format(renewing, figures["sent"], figures["seconds"], figures["failed"]))
    assert renew.rc == 0, renew.stdout + renew.stderr
    after = served_certificate(host)
    assert after["serial"] != before["serial"] and "Pebble" in after["issuer"]
    assert after["names"] == sorted(NAMES)
    assert figures["failed"] == 0, figures["errors"][:5]
    # The requests overlapped the renewal: about 2 s of load before it, 2 s after.
    assert figures["sent"] >= 100 and renewing >= 1, figures
    # Reloaded, not restarted.
    assert lb.check_output("systemctl show --property MainPID --value haproxy") == master


def test_renewal_is_left_to_certbots_timer(cluster):
    lb = cluster["lb-01"]
    assert lb.service("certbot.timer").is_enabled
    assert lb.service("certbot.timer").is_running


def test_testssl_finds_nothing_high_or_critical(host, pebble_root):
    findings, serious = run_testssl(host, "https://hbnb.test/", pebble_root, "testssl-hbnb.test")
    assert not serious, serious
    assert findings["TLS1"] == findings["TLS1_1"] == "not offered"
    assert findings["TLS1_3"].startswith("offered")


def test_web_hosts_believe_x_forwarded_proto_only_from_the_balancer(cluster):
    lb_address = cluster["lb-01"].interface.default("inet").addresses[0]
    for name in ("web-01", "web-02"):
        config = cluster[name].file("/etc/nginx/nginx.conf").content_string
        trusted = re.search(r"geo \$nginx_role_trusted_proxy \{(.*?)\}", config, re.S).group(1)
        assert re.findall(r"^\s*(\S+) 1;", trusted, re.M) == [lb_address], trusted


# --- firewalls --------------------------------------------------------------------------


def reachable(client, address, port):
    """Whether a TCP connection from ``client`` to address:port is accepted within 3 s."""
    return client.run("timeout 3 bash -c %s", "exec 3<>/dev/tcp/{}/{}".format(address, port)).rc == 0


def public_ports(host):
    """TCP ports the host listens on beyond loopback."""
    return {int(s.rsplit(":", 1)[1]) for s in host.socket.get_listening_sockets()
            if s.startswith("tcp://") and not s.startswith(("tcp://127.", "tcp://::1:"))}


EXPECTED_OPEN = {"lb-01": {80, 443}, "web-01": {80, 443}, "web-02": {80, 443}, "db-01": set()}


@pytest.mark.parametrize("name", sorted(EXPECTED_OPEN))
def test_an_outsider_reaches_only_ssh_http_and_https(host, cluster, name):
    target = cluster[name]
    address = target.interface.default("inet").addresses[0]
    listening = public_ports(target)
    # Every port it listens on beyond loopback, and the stack's well-known ones.
    candidates = listening | {22, 80, 443, 3306, 5000, 5002, 5004}
    open_ports = {port for port in candidates if reachable(host, address, port)}
    print("{} ({}): listening beyond loopback {}, reachable from acme-01 {}".format(
        name, address, sorted(listening), sorted(open_ports)))
    assert open_ports <= EXPECTED_OPEN[name] | {22}


def test_mariadb_is_reachable_from_web_hosts_only(host, cluster):
    db = cluster["db-01"]
    address = db.interface.default("inet").addresses[0]
    # MariaDB does listen on db-01's own address (the web hosts use it) ...
    assert 3306 in public_ports(db)
    assert reachable(cluster["web-01"], address, 3306)
    assert reachable(cluster["web-02"], address, 3306)
    # ... and the firewall is what keeps everyone else out.
    assert not reachable(host, address, 3306)
    assert not reachable(cluster["lb-01"], address, 3306)


def test_a_new_service_is_not_reachable_until_the_firewall_allows_it(host, cluster):
    db = cluster["db-01"]
    address = db.interface.default("inet").addresses[0]
    db.check_output("systemd-run --quiet --collect --unit test-listener python3 -m http.server 6000")
    try:
        assert db.run("timeout 5 bash -c 'until exec 3<>/dev/tcp/127.0.0.1/6000; do sleep 0.2; done'").rc == 0
        assert 6000 in public_ports(db)
        assert not reachable(host, address, 6000)
    finally:
        db.run("systemctl stop test-listener")


def test_gunicorn_ports_are_closed_to_outsiders(host, cluster):
    for name in ("web-01", "web-02"):
        address = cluster[name].interface.default("inet").addresses[0]
        assert not [port for port in range(5000, 5005) if reachable(host, address, port)], name


def test_each_host_has_a_default_deny_ruleset(cluster):
    for name, target in cluster.items():
        ruleset = target.check_output("nft list ruleset")
        assert re.search(r"hook input priority \S+; policy drop;", ruleset), (name, ruleset)
