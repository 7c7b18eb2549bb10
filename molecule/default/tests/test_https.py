"""HTTPS on one host, as site.yml sets it up with no TLS setting at all: Nginx
terminates TLS on 443 with a certificate from the host's own lab CA (the
"selfsigned" source), port 80 redirects, HSTS, Mozilla's intermediate profile;
testssl.sh finds nothing HIGH or CRITICAL; a wrong certificate and an
unreachable ACME server stop the run and the site keeps its certificate."""
import json
import subprocess

import pytest
from stacktest import TLS_DIR, TLS_PROBE, requester, run_playbook, run_testssl

FINGERPRINT = "openssl x509 -noout -fingerprint -sha256 -in " + TLS_DIR + "/fullchain.pem"


def tls(host, path=None, version=None):
    """One TLS connection to the site on the host (stacktest.TLS_PROBE), trusting its lab CA."""
    request = {"path": path, "version": version, "ca": TLS_DIR + "/ca.pem",
               "name": host.backend.get_hostname()}
    return json.loads(host.check_output("python3 -c %s %s", TLS_PROBE, json.dumps(request)))


def served_fingerprint(host):
    """SHA-256 of the certificate Nginx sends (not of the file on disk)."""
    return host.check_output(
        "openssl s_client -connect 127.0.0.1:443 -servername %s </dev/null 2>/dev/null"
        " | openssl x509 -noout -fingerprint -sha256", host.backend.get_hostname())


def test_https_answers_with_a_certificate_of_the_lab_ca_for_the_host_name(host):
    answer = tls(host, "/api/v1/status")
    assert "error" not in answer, answer
    assert answer["status"] == 200
    assert answer["names"] == [host.backend.get_hostname()]
    assert answer["issuer"]["commonName"].endswith("lab CA")
    # The private key is readable by root only.
    key = host.file(TLS_DIR + "/privkey.pem")
    assert (key.user, key.mode) == ("root", 0o600)


def test_http_answers_301_to_the_same_url_on_https(host):
    answer = requester(host)("/api/v1/states?limit=2", port=80)
    assert answer.status == 301
    # Host as the client sent it (127.0.0.1 here), the path and query unchanged.
    assert answer.headers["location"] == "https://127.0.0.1/api/v1/states?limit=2"
    assert "strict-transport-security" not in answer.headers


def test_hsts_is_sent_on_every_https_answer_errors_included(host):
    for path, status in (("/", 200), ("/api/v1/states/nope", 404), ("/static/nope.css", 404)):
        answer = tls(host, path)
        assert answer["status"] == status, (path, answer)
        assert answer["headers"]["strict-transport-security"] == "max-age=31536000", path


def test_http2_is_offered(host):
    assert tls(host)["alpn"] == "h2"


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls_1_0_and_1_1_handshakes_fail(host, version):
    answer = tls(host, version=version)
    assert "version" not in answer and "error" in answer, answer


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_1_2_and_1_3_succeed_with_aead_ciphers(host, version):
    answer = tls(host, version=version)
    assert answer.get("version") == version.replace("_", "."), answer
    assert "GCM" in answer["cipher"] or "CHACHA20" in answer["cipher"], answer


def test_testssl_finds_nothing_high_or_critical(host):
    """Debian's testssl.sh against the host's https, trusting its lab CA; the
    findings are kept in .cache/artifacts/ for whoever wants to read them."""
    name = host.backend.get_hostname()
    findings, serious = run_testssl(host, "https://{}/".format(name), TLS_DIR + "/ca.pem", "testssl-" + name)
    assert not serious, serious
    assert findings["TLS1"] == findings["TLS1_1"] == "not offered"
    assert findings["TLS1_3"].startswith("offered")


@pytest.fixture(scope="module")
def mismatched_files(tmp_path_factory, host):
    """The certificate the host serves, with a private key that is not its own."""
    directory = tmp_path_factory.mktemp("certificate-files")
    chain, key = directory / "chain.pem", directory / "wrong.key"
    chain.write_text(host.file(TLS_DIR + "/fullchain.pem").content_string)
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", str(key)], check=True, capture_output=True)
    return chain, key


# The two runs below fail in the tls_certificate role, which checks what it
# is given before it changes anything: they run site.yml's certificate tasks
# only (--tags tls_certificate, with every role's variable checks), which
# took 3 minutes less each than the whole site.yml.
CERTIFICATE_ONLY = ("--tags", "tls_certificate")


def test_a_key_that_does_not_match_stops_the_run_and_the_old_certificate_stays(host, mismatched_files):
    chain, key = mismatched_files
    before = served_fingerprint(host)
    result, recap = run_playbook("site.yml", *CERTIFICATE_ONLY, "-e", json.dumps({
        "tls_certificate_source": "files", "tls_certificate_chain_file": str(chain),
        "tls_certificate_key_file": str(key)}))
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output[-3000:]
    assert str(key) in output and "does not match" in output, output[-3000:]
    assert served_fingerprint(host) == before
    assert host.check_output(FINGERPRINT) == before
    assert tls(host, "/api/v1/status")["status"] == 200


def test_an_unreachable_acme_server_stops_the_run_and_the_old_certificate_stays(host):
    before = served_fingerprint(host)
    directory = "https://127.0.0.1:9/directory"
    result, recap = run_playbook("site.yml", *CERTIFICATE_ONLY, "-e", json.dumps({
        "tls_certificate_source": "acme", "tls_certificate_acme_directory": directory,
        "tls_certificate_acme_email": "ops@example.org"}))
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, output[-3000:]
    assert directory in output and "Connection refused" in output, output[-3000:]
    assert served_fingerprint(host) == before
    assert tls(host, "/api/v1/status")["status"] == 200

