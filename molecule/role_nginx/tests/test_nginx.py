"""What an operator would check by hand on a host converged with the nginx role alone.

HTTP requests are sent from inside the container with Python's http.client (the image
has no curl, and the role must not install one); the echo upstream on 127.0.0.1:8081
answers with JSON describing the request it received, so every proxied route can be
checked for the path and headers nginx passed on.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))
from stacktest import tcp_listeners  # noqa: E402  (shared with the stack scenarios)

SCENARIO_DIR = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
CONVERGE = os.path.join(SCENARIO_DIR, "converge.yml")
# The ansible-playbook next to the Python running the tests (the project's virtualenv).
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
BODY_LIMIT = 64 * 1024  # nginx_client_max_body_size: 64k in converge.yml

# A tiny curl: one request, answered as JSON (status, headers in order, body).
CLIENT = r"""
import http.client, json, sys
req = json.loads(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", req.get("port", 80), timeout=10)
body = b"x" * req["body_size"] if "body_size" in req else None
try:
    conn.request(req.get("method", "GET"), req["path"], body=body, headers=req.get("headers", {}))
    resp = conn.getresponse()
    print(json.dumps({"status": resp.status, "headers": resp.getheaders(),
                      "body": resp.read().decode("utf-8", "replace")}))
except OSError as exc:
    print(json.dumps({"status": None, "headers": [], "body": "", "error": repr(exc)}))
"""


class Response:
    def __init__(self, data):
        self.status = data["status"]
        self.headers = data["headers"]
        self.body = data["body"]
        self.error = data.get("error")

    def header(self, name):
        """Every value of a header (a list, to catch duplicates)."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def upstream(self):
        """What the echo upstream received."""
        return json.loads(self.body)


def http(host, path, method="GET", headers=None, body_size=None, port=80):
    request = {"path": path, "method": method, "headers": headers or {}, "port": port}
    if body_size is not None:
        request["body_size"] = body_size
    return Response(json.loads(host.check_output("python3 -c %s %s", CLIENT, json.dumps(request))))


# One TLS connection made on the host (molecule/_shared/tls_probe.py, shared with
# the stack scenarios): it trusts only the site's own certificate and sends the
# site's name (SNI, Host).
TLS_PROBE = (Path(__file__).resolve().parents[2] / "_shared" / "tls_probe.py").read_text()


def tls(host, path=None, version=None):
    request = json.dumps({"path": path, "version": version, "ca": "/etc/ssl/role-nginx/secure.crt",
                          "name": "secure.example.test"})
    return json.loads(host.check_output("python3 -c %s %s", TLS_PROBE, request))


# Wall-clock start time of a process, to the clock tick (ps rounds to the second).
PROCESS_START = r"""
import os, sys, time
ticks = int(open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()[19])
uptime = float(open("/proc/uptime").read().split()[0])
print(time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK"))
"""


def main_pid(host):
    return int(host.check_output("systemctl show --property MainPID --value nginx"))


def worker_pids(host, master):
    return set(host.check_output("ps -o pid= --ppid %s", str(master)).split())


def snapshot(host):
    """Fingerprint of everything under /etc/nginx (names, link targets, contents)."""
    return host.check_output(
        "find /etc/nginx -printf '%p %y %l\\n' | sort; find /etc/nginx -type f -exec sha256sum {} + | sort"
    )


def run_role(host, extra_vars, *args):
    """Run converge.yml again from the controller, as an operator would re-run the play."""
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    command = [
        ANSIBLE_PLAYBOOK if os.path.exists(ANSIBLE_PLAYBOOK) else "ansible-playbook",
        "-i",
        inventory,
        "--limit",
        host.backend.get_hostname(),
        CONVERGE,
        "-e",
        json.dumps(extra_vars),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    return result.returncode, result.stdout + result.stderr


# --- the service -------------------------------------------------------------------


def test_nginx_is_installed_running_and_enabled(host):
    assert host.package("nginx").is_installed
    nginx = host.service("nginx")
    assert nginx.is_running
    assert nginx.is_enabled


def test_nginx_listens_on_port_80_ipv4_and_ipv6(host):
    assert host.socket("tcp://0.0.0.0:80").is_listening
    assert host.socket("tcp://:::80").is_listening


def test_configuration_is_valid(host):
    result = host.run("nginx -t")
    assert result.rc == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_distribution_default_site_is_disabled(host):
    assert not host.file("/etc/nginx/sites-enabled/default").exists


def test_site_with_state_absent_is_removed(host):
    assert not host.file("/etc/nginx/sites-enabled/legacy").exists
    assert not host.file("/etc/nginx/sites-available/legacy").exists
    assert 8080 not in tcp_listeners(host)  # on no address at all


def test_sites_are_enabled_by_links(host):
    for name in ("app", "admin"):
        link = host.file(f"/etc/nginx/sites-enabled/{name}")
        assert link.is_symlink
        assert link.linked_to == f"/etc/nginx/sites-available/{name}"


# --- the routes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "upstream_path"),
    [
        ("/", "/2-hbnb"),  # "= /": the matched "/" replaced by the proxy_pass URI
        ("/some/page?x=1", "/some/page?x=1"),  # "/": passed unchanged
        ("/api/v1/status", "/api/v1/status"),  # "/api/": proxy_pass without URI
        ("/airbnb-onepage/", "/"),  # prefix rewriting
        ("/airbnb-onepage/about?lang=en", "/about?lang=en"),
        ("/airbnb-dynamic/number_odd_or_even/89", "/number_odd_or_even/89"),  # regex capture
        ("/airbnb-dynamic/number_odd_or_even/abc", "/airbnb-dynamic/number_odd_or_even/abc"),  # no match: "/"
    ],
)
def test_proxied_route_reaches_the_upstream_with_the_right_path(host, path, upstream_path):
    response = http(host, path)
    assert response.status == 200, response.body
    assert response.upstream()["path"] == upstream_path


def test_static_files_are_served_from_the_alias_directory(host):
    response = http(host, "/static/style.css")
    assert response.status == 200
    assert response.body == "body { color: teal; }\n"
    assert response.header("Content-Type") == ["text/css"]
    assert response.header("Cache-Control") == ["public, max-age=3600"]  # the location's own add_header
    assert http(host, "/static/").body == "<h1>static index</h1>\n"


@pytest.mark.parametrize(
    "path",
    ["/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt", "/static../secret.txt"],
)
def test_static_location_does_not_serve_files_outside_its_directory(host, path):
    assert host.file("/srv/www/secret.txt").contains("PRIVATE")
    response = http(host, path)
    # Nginx answered (its own header, no error of its own) ...
    assert response.header("X-Served-By") and response.status < 500, (response.status, response.headers)
    # ... and not with the file beside the static directory.
    assert "PRIVATE" not in response.body


@pytest.mark.parametrize("path", ["/.git/config", "/static/.hidden", "/api/.env"])
def test_dot_files_get_404(host, path):
    assert http(host, path).status == 404


def test_second_site_answers_to_its_server_name(host):
    response = http(host, "/", headers={"Host": "admin.example.test"})
    assert response.status == 403
    assert response.body == "admin is closed\n"


# --- response headers ------------------------------------------------------------

# One of each kind of answer: proxied, proxied by regex, static, fixed 404,
# nginx's own error (413), other site.
ANSWERS = [
    ("/api/v1/status", {}, None),
    ("/airbnb-dynamic/number_odd_or_even/4", {}, None),
    ("/static/style.css", {}, None),
    ("/.env", {}, None),
    ("/api/upload", {}, BODY_LIMIT + 1),
    ("/", {"Host": "admin.example.test"}, None),
]


@pytest.fixture(scope="module")
def answers(host):
    return {
        path + (f" (Host: {headers['Host']})" if headers else ""): http(
            host, path, method="POST" if body_size else "GET", headers=headers, body_size=body_size
        )
        for path, headers, body_size in ANSWERS
    }


def test_x_served_by_is_the_host_name_on_every_answer(host, answers):
    hostname = host.file("/proc/sys/kernel/hostname").content_string.strip()
    for answer, response in answers.items():
        assert response.header("X-Served-By") == [hostname], (answer, response.headers)


def test_security_headers_appear_once_on_every_answer(answers):
    for answer, response in answers.items():
        for name, value in SECURITY_HEADERS.items():
            assert response.header(name) == [value], (answer, name, response.headers)


def test_answers_are_the_expected_ones(answers):
    statuses = [response.status for response in answers.values()]
    assert statuses == [200, 200, 200, 404, 413, 403]


def test_sites_say_the_headers_once_in_a_snippet_every_block_includes(host):
    snippet = host.file("/etc/nginx/snippets/nginx-role-site-headers.conf").content_string
    assert "add_header X-Served-By $hostname always;" in snippet
    assert "proxy_set_header Host $host;" in snippet
    site = host.file("/etc/nginx/sites-available/app").content_string
    directives = [line for line in site.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "add_header X-Served-By" in line or "proxy_set_header" in line]
    blocks = site.count("\n    location ") + site.count("\nserver {")
    assert site.count("include /etc/nginx/snippets/nginx-role-site-headers.conf;\n") == blocks
    # Indented as written by hand: no directive and no location's "}" at column 0.
    lines = site.splitlines()
    assert not [line for line in lines if line.endswith(";") and not line.startswith("    ")]
    assert lines.count("    }") == site.count("\n    location ")


def test_application_own_security_header_wins_and_is_not_doubled(host):
    response = http(host, "/api/frame-deny")  # the echo upstream sends X-Frame-Options: DENY
    assert response.header("X-Frame-Options") == ["DENY"]
    assert response.header("X-Content-Type-Options") == ["nosniff"]


def test_server_header_and_error_pages_hide_the_version(host):
    response = http(host, "/.git/config")
    assert response.header("Server") == ["nginx"]
    assert "nginx/" not in response.body


# --- what the upstream receives -----------------------------------------------------


def test_proxy_headers_are_set_by_nginx_not_by_the_client(host):
    forged = {
        "Host": "www.example.test",
        "X-Real-IP": "198.51.100.66",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
    }
    received = http(host, "/api/whoami", headers=forged).upstream()["headers"]
    assert received["host"] == "www.example.test"
    assert received["x-real-ip"] == "127.0.0.1"
    # Appended, not replaced: the right-most entry is the one nginx saw.
    assert received["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert received["x-forwarded-proto"] == "http"


def test_x_forwarded_proto_is_taken_only_from_a_trusted_proxy(host):
    """127.0.0.2 is in nginx_trusted_proxies: its https is believed, 127.0.0.1's is not."""
    forged = {"X-Forwarded-Proto": "https"}
    client = CLIENT.replace('HTTPConnection("127.0.0.1", req.get("port", 80), timeout=10)',
                            'HTTPConnection("127.0.0.1", 80, timeout=10, source_address=("127.0.0.2", 0))')
    assert client != CLIENT
    request = json.dumps({"path": "/api/whoami", "headers": forged})
    trusted = Response(json.loads(host.check_output("python3 -c %s %s", client, request)))
    assert trusted.upstream()["headers"]["x-forwarded-proto"] == "https"
    assert http(host, "/api/whoami", headers=forged).upstream()["headers"]["x-forwarded-proto"] == "http"


# --- https -------------------------------------------------------------------------


def test_https_site_answers_with_its_certificate_http2_and_hsts(host):
    assert tls(host).get("alpn") == "h2"
    answer = tls(host, "/api/whoami")
    assert "error" not in answer, answer
    assert answer["status"] == 200
    assert answer["headers"]["strict-transport-security"] == "max-age=600"
    # The upstream learns the client used https.
    assert json.loads(answer["body"])["headers"]["x-forwarded-proto"] == "https"


def test_hsts_is_not_sent_over_plain_http(host):
    # RFC 6797: a browser ignores it there; sending it only confuses a reader.
    response = http(host, "/api/whoami", headers={"Host": "secure.example.test"})
    assert response.status == 301
    assert response.header("Strict-Transport-Security") == []


def test_http_side_of_a_tls_site_redirects_to_the_same_url_on_https(host):
    response = http(host, "/api/x?y=1", headers={"Host": "secure.example.test"})
    assert response.status == 301
    assert response.header("Location") == ["https://secure.example.test/api/x?y=1"]


def test_http_side_serves_acme_challenges_from_the_webroot(host):
    host.check_output("printf token-123 > /var/www/acme-challenge/.well-known/acme-challenge/t123")
    try:
        response = http(host, "/.well-known/acme-challenge/t123", headers={"Host": "secure.example.test"})
    finally:
        host.check_output("rm -f /var/www/acme-challenge/.well-known/acme-challenge/t123")
    assert (response.status, response.body) == (200, "token-123")


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_old_tls_versions_are_refused(host, version):
    answer = tls(host, version=version)
    assert "version" not in answer, answer
    assert "error" in answer


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_1_2_and_1_3_are_accepted_with_aead_ciphers_only(host, version):
    answer = tls(host, version=version)
    assert answer.get("version") == version.replace("_", "."), answer
    assert "GCM" in answer["cipher"] or "CHACHA20" in answer["cipher"]


# --- limits ------------------------------------------------------------------------


def test_body_up_to_the_limit_reaches_the_upstream(host):
    response = http(host, "/api/upload", method="POST", body_size=BODY_LIMIT - 1024)
    assert response.status == 200
    assert response.upstream()["body_length"] == BODY_LIMIT - 1024


def test_body_over_the_limit_gets_413(host):
    assert http(host, "/api/upload", method="POST", body_size=BODY_LIMIT + 1).status == 413


# --- reload, not restart -------------------------------------------------------------


def wait_for_new_workers(host, master, old_workers, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = worker_pids(host, master)
        if workers and not workers & old_workers:
            return workers
        time.sleep(0.2)
    return worker_pids(host, master)


def test_systemctl_reload_keeps_the_master_and_replaces_the_workers(host):
    master = main_pid(host)
    workers = worker_pids(host, master)
    host.check_output("systemctl reload nginx")
    assert main_pid(host) == master
    assert not wait_for_new_workers(host, master, workers) & workers
    assert http(host, "/api/").status == 200


def test_converge_applied_its_configuration_with_a_reload_not_a_restart(host):
    """The package started nginx before the role wrote its files; the master running now
    is still that one (never restarted), yet it serves the role's sites: it was reloaded."""
    master = main_pid(host)
    started = host.check_output("python3 -c %s %s", PROCESS_START, str(master))
    files = ("/etc/nginx/nginx.conf", "/etc/nginx/sites-available/app")
    written = host.check_output("stat -c %%.Y %s %s", *files)
    assert all(float(started) < float(mtime) for mtime in written.split()), (started, written)
    assert http(host, "/api/").header("X-Served-By")


def test_role_refuses_a_broken_configuration_left_on_disk(host):
    """A file nginx rejects stops the play with nginx's own message, and nothing is reloaded."""
    master = main_pid(host)
    workers = worker_pids(host, master)
    broken = "/etc/nginx/conf.d/broken-by-hand.conf"
    host.check_output("printf 'this_is_not_a_directive on;\\n' > %s", broken)
    try:
        # Even a run limited to the service tag tests the whole configuration first.
        rc, output = run_role(host, {}, "--tags", "nginx_service")
    finally:
        host.check_output("rm -f %s", broken)
    assert rc != 0
    assert "nginx -t rejected the configuration" in output
    assert 'unknown directive "this_is_not_a_directive"' in output
    assert "broken-by-hand.conf" in output
    assert main_pid(host) == master
    assert worker_pids(host, master) == workers
    assert http(host, "/api/").status == 200


# --- wrong variables fail before any change -----------------------------------------

# Each run: the variables given on the command line, and the messages the play must fail
# with. The argument specs report every type, choice and unknown-key error of a run at
# once; the rules of tasks/validate.yml stop at the first one, so they get a run each.
BAD_INPUTS = {
    "trusted proxy given by name": (
        {"nginx_trusted_proxies": ["lb-01"]},
        ["nginx_trusted_proxies a list of IP addresses or CIDR ranges (got ['lb-01'])"],
    ),
    "tls with a relative certificate path": (
        {
            "nginx_sites": [
                {"name": "tls", "tls": {"certificate": "site.crt", "certificate_key": "/etc/ssl/site.key",
                                        "listen": 80},
                 "locations": [{"path": "/", "return": "404"}]},
            ],
        },
        [
            "nginx_sites[0] (tls).tls: certificate and certificate_key must be absolute paths on the host"
            " (got site.crt, /etc/ssl/site.key), listen a port or \"address:port\" other than the site's own"
            " listen (got 80)",
        ],
    ),
    "argument specs": (
        {
            "nginx_service_state": "running",
            "nginx_sites": [
                {"name": "typo", "locations": [{"path": "/", "proxypass": "http://127.0.0.1:8081"}]},
                {"name": "type", "default_server": "sometimes"},
            ],
        },
        [
            "value of nginx_service_state must be one of: started, stopped, got: running",
            "nginx_sites.locations.proxypass. Supported parameters include:"
            " alias, extra, path, proxy_pass, return.",
            "argument 'default_server' is of type str found in 'nginx_sites'",
        ],
    ),
    "two actions in one location": (
        {
            "nginx_sites": [
                {
                    "name": "bad",
                    "locations": [
                        {"path": "/", "return": "404"},
                        {"path": "/x/", "proxy_pass": "http://127.0.0.1:8081", "alias": "/srv/www/static/"},
                    ],
                }
            ]
        },
        [
            "nginx_sites[0].locations[1] (/x/): needs exactly one of proxy_pass, alias, return"
            " (got: proxy_pass, alias)"
        ],
    ),
    "alias traversal": (
        {"nginx_sites": [{"name": "bad", "locations": [{"path": "/files", "alias": "/srv/www/static/"}]}]},
        ["nginx_sites[0].locations[0] (/files): a prefix location and its alias must both end with"],
    ),
    "two default servers on one port": (
        {
            "nginx_sites": [
                {"name": "one", "default_server": True, "locations": [{"path": "/", "return": "404"}]},
                {"name": "two", "default_server": True, "locations": [{"path": "/", "return": "404"}]},
            ]
        },
        ["nginx_sites: at most one present site per listen value may set default_server (sites: one, two"],
    ),
}


@pytest.fixture(scope="module")
def bad_input_runs(host):
    """Run the play once per bad input (side by side: each fails before touching the host)."""
    before, master = snapshot(host), main_pid(host)
    with ThreadPoolExecutor(max_workers=len(BAD_INPUTS)) as pool:
        outcomes = pool.map(lambda case: run_role(host, BAD_INPUTS[case][0]), BAD_INPUTS)
        runs = dict(zip(BAD_INPUTS, outcomes, strict=True))
    return runs, snapshot(host) == before, main_pid(host) == master


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_wrong_variables_fail_before_any_change(bad_input_runs, case):
    runs, files_unchanged, same_master = bad_input_runs
    rc, output = runs[case]
    assert rc != 0, output
    for message in BAD_INPUTS[case][1]:
        assert message in " ".join(output.split()), output
    assert "changed=0" in output and "failed=1" in output
    assert files_unchanged
    assert same_master
