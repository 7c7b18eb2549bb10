"""The tls_certificate role on tlscert-01, checked as an operator would with openssl.

The converge got the "site" certificate from Pebble (tlscert-acme-01) through Nginx on port 80;
the tests then run the role again from the controller (run_role.yml) with other
variables: selfsigned ("lab"), files ("upload", fixtures made here with Python's
cryptography, the key Vault-encrypted), standalone ACME, and the failure cases, each of
which must leave the stable files (and what Nginx serves) as they were.
"""

import datetime
import json
import os
import re
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

testinfra_hosts = ["tlscert-01"]

SCENARIO_DIR = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
RUN_ROLE = os.path.join(SCENARIO_DIR, "run_role.yml")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
ANSIBLE_VAULT = os.path.join(os.path.dirname(sys.executable), "ansible-vault")
STABLE = "/etc/ssl/tls_certificate"
RELOAD_LOG = "/var/log/tls-certificate-reloads.log"

# The converge's variables (converge.yml): re-runs of "site" must keep its reload commands.
SITE = {
    "tls_certificate_name": "site",
    "tls_certificate_names": ["site.hbnb.test", "www.site.hbnb.test"],
    "tls_certificate_source": "acme",
    "tls_certificate_acme_directory": "{{ pebble_directory }}",
    "tls_certificate_acme_email": "admin@hbnb.test",
    "tls_certificate_acme_ca_bundle": "{{ pebble_ca_bundle }}",
    "tls_certificate_reload_commands": ["systemctl reload nginx", f"date +%s.%N >> {RELOAD_LOG}"],
}


def run_role(extra_vars, *args):
    """ansible-playbook run_role.yml against tlscert-01 with these variables: (rc, output)."""
    command = [
        ANSIBLE_PLAYBOOK if os.path.exists(ANSIBLE_PLAYBOOK) else "ansible-playbook",
        "-i",
        os.environ["MOLECULE_INVENTORY_FILE"],
        "--limit",
        "tlscert-01",
        RUN_ROLE,
        "-e",
        json.dumps(extra_vars),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    # Whitespace made single: the YAML callback folds long messages over lines.
    return result.returncode, " ".join((result.stdout + result.stderr).split())


def changed_count(output):
    """changed=N of tlscert-01 in the play recap."""
    recap = output[output.rindex("PLAY RECAP") :]
    return int(recap.split("changed=")[1].split()[0])


def fingerprint(host, path):
    return host.check_output("openssl x509 -in %s -noout -fingerprint -sha256", path).split("=", 1)[1]


def served(host, port, name, what="-fingerprint -sha256"):
    """What the TLS listener on 127.0.0.1:port presents for this name (first certificate)."""
    return host.check_output(
        f"openssl s_client -connect 127.0.0.1:{port} -servername {name} </dev/null 2>/dev/null"
        f" | openssl x509 -noout {what}"
    ).split("=", 1)[1]


def text(host, path):
    return host.check_output("openssl x509 -in %s -noout -text", path)


def sans(host, path):
    out = host.check_output("openssl x509 -in %s -noout -ext subjectAltName", path)
    return sorted(item.strip() for item in out.splitlines()[1].split(","))


def check_stable_files(host, name):
    """Modes and owners of the stable files; the key belongs to the first certificate."""
    directory = f"{STABLE}/{name}"
    for file_name, mode in (("fullchain.pem", 0o644), ("privkey.pem", 0o600), ("combined.pem", 0o600)):
        stable = host.file(f"{directory}/{file_name}")
        assert stable.is_file, file_name
        assert (stable.mode, stable.user, stable.group) == (mode, "root", "root"), file_name
    cert_key = host.check_output("openssl x509 -in %s/fullchain.pem -noout -pubkey", directory)
    key = host.check_output("openssl pkey -in %s/privkey.pem -pubout", directory)
    assert cert_key == key
    combined = host.file(f"{directory}/combined.pem").content_string
    assert (
        combined
        == host.file(f"{directory}/fullchain.pem").content_string
        + host.file(f"{directory}/privkey.pem").content_string
    )


# --- acme: the converge's certificate from Pebble ------------------------------------------


def test_acme_certificate_from_pebble_covers_every_name_and_is_served(host):
    path = f"{STABLE}/site/fullchain.pem"
    assert "Pebble Intermediate CA" in host.check_output("openssl x509 -in %s -noout -issuer", path)
    assert sans(host, path) == ["DNS:site.hbnb.test", "DNS:www.site.hbnb.test"]
    check_stable_files(host, "site")
    # certbot's lineage and the stable copy are the same certificate; Nginx serves it.
    assert fingerprint(host, "/etc/letsencrypt/live/site/cert.pem") == fingerprint(host, path)
    assert served(host, 443, "site.hbnb.test") == fingerprint(host, path)


def test_acme_chain_verifies_against_pebble_root(host):
    """The chain Pebble issued verifies up to Pebble's root (management port /roots/0)."""
    host.check_output(
        "python3 -c %s",
        "import ssl, urllib.request; "
        "ctx = ssl.create_default_context(cafile='/var/lib/tls_certificate/acme-ca-bundle.pem'); "
        "root = urllib.request.urlopen('https://tlscert-acme-01:15000/roots/0', context=ctx).read(); "
        "open('/tmp/pebble-root.pem', 'wb').write(root)",
    )
    path = f"{STABLE}/site/fullchain.pem"
    result = host.run("openssl verify -CAfile /tmp/pebble-root.pem -untrusted %s %s", path, path)
    assert result.rc == 0, result.stdout + result.stderr


def test_certbot_timer_enabled_with_the_ca_bundle(host):
    timer = host.service("certbot.timer")
    assert timer.is_enabled
    assert timer.is_running
    environment = host.check_output("systemctl show certbot.service --property Environment")
    assert "REQUESTS_CA_BUNDLE=/var/lib/tls_certificate/acme-ca-bundle.pem" in environment
    assert (
        "renew_hook = /var/lib/tls_certificate/site/install-certificate"
        in host.file("/etc/letsencrypt/renewal/site.conf").content_string
    )


def test_renewal_by_certbot_service_replaces_files_and_reloads(host):
    """certbot.service (what certbot.timer starts), forced to renew, without Ansible."""
    path = f"{STABLE}/site/fullchain.pem"
    serial = host.check_output("openssl x509 -in %s -noout -serial", path)
    reloads = len(host.file(RELOAD_LOG).content_string.splitlines())
    # A runtime drop-in (gone at reboot, removed below) adds --force-renewal; the
    # role's drop-in still gives REQUESTS_CA_BUNDLE.
    host.check_output(
        "mkdir -p /run/systemd/system/certbot.service.d && printf '%s\\n' '[Service]' 'ExecStart='"
        " 'ExecStart=/usr/bin/certbot -q renew --force-renewal --no-random-sleep-on-renew --cert-name site'"
        " > /run/systemd/system/certbot.service.d/zz-test-force.conf && systemctl daemon-reload"
    )
    try:
        result = host.run("systemctl start certbot.service")
        assert result.rc == 0, host.check_output("journalctl -u certbot.service -n 30 --no-pager")
    finally:
        host.check_output("rm -rf /run/systemd/system/certbot.service.d && systemctl daemon-reload")
    new_serial = host.check_output("openssl x509 -in %s -noout -serial", path)
    assert new_serial != serial
    assert fingerprint(host, path) == fingerprint(host, "/etc/letsencrypt/live/site/cert.pem")
    check_stable_files(host, "site")
    # The deploy hook ran the reload commands: the trace, and Nginx serves the new one.
    assert len(host.file(RELOAD_LOG).content_string.splitlines()) == reloads + 1
    assert served(host, 443, "site.hbnb.test", "-serial") == new_serial.split("=", 1)[1]


def test_unreachable_acme_directory_fails_and_keeps_the_certificate(host):
    before = fingerprint(host, f"{STABLE}/site/fullchain.pem")
    rc, output = run_role(dict(SITE, tls_certificate_acme_directory="https://tlscert-acme-01:14999/dir"))
    assert rc != 0
    assert (
        "from the ACME directory https://tlscert-acme-01:14999/dir: the ACME server is unreachable" in output
    )
    assert "Connection refused" in output  # certbot's own line
    assert fingerprint(host, f"{STABLE}/site/fullchain.pem") == before
    assert served(host, 443, "site.hbnb.test") == before


def test_failed_http01_validation_names_the_cause_and_keeps_the_placeholder(host):
    """nothere.hbnb.test does not resolve: Pebble's VA cannot fetch the challenge."""
    rc, output = run_role(
        dict(
            SITE,
            tls_certificate_name="nothere",
            tls_certificate_names=["site.hbnb.test", "nothere.hbnb.test"],
        )
    )
    assert rc != 0
    assert "the HTTP-01 validation failed" in output
    assert "Domain: nothere.hbnb.test" in output
    path = f"{STABLE}/nothere/fullchain.pem"
    assert "placeholder" in host.check_output("openssl x509 -in %s -noout -issuer", path)
    check_stable_files(host, "nothere")


def test_standalone_challenge_behind_a_proxy(host):
    """certbot listens on 127.0.0.1:8402; Nginx on port 80 routes the challenge to it."""
    rc, output = run_role(
        dict(
            SITE,
            tls_certificate_name="standalone",
            tls_certificate_names=["standalone.hbnb.test"],
            tls_certificate_acme_challenge="standalone",
            tls_certificate_acme_standalone_port=8402,
            tls_certificate_reload_commands=[],
        )
    )
    assert rc == 0, output
    path = f"{STABLE}/standalone/fullchain.pem"
    assert "Pebble Intermediate CA" in host.check_output("openssl x509 -in %s -noout -issuer", path)
    assert sans(host, path) == ["DNS:standalone.hbnb.test"]
    check_stable_files(host, "standalone")


# --- selfsigned -------------------------------------------------------------------------

LAB = {
    "tls_certificate_name": "lab",
    "tls_certificate_names": ["lab.hbnb.test", "www.lab.hbnb.test", "127.0.0.1"],
    "tls_certificate_source": "selfsigned",
}


@pytest.fixture(scope="module")
def lab():
    rc, output = run_role(LAB)
    assert rc == 0, output
    return output


def test_selfsigned_chain_verifies_against_the_lab_ca(host, lab):
    path = f"{STABLE}/lab/fullchain.pem"
    ca = f"{STABLE}/lab/ca.pem"
    result = host.run("openssl verify -CAfile %s %s", ca, path)
    assert result.rc == 0, result.stdout + result.stderr
    assert sans(host, path) == ["DNS:lab.hbnb.test", "DNS:www.lab.hbnb.test", "IP Address:127.0.0.1"]
    leaf, authority = text(host, path), text(host, ca)
    assert "CN = tlscert-01 lab CA" in leaf.split("Issuer:")[1].splitlines()[0]
    assert "CA:FALSE" in leaf
    assert "TLS Web Server Authentication" in leaf
    assert "CA:TRUE" in authority
    assert "Certificate Sign" in authority
    assert host.file(ca).mode == 0o644
    check_stable_files(host, "lab")


def test_selfsigned_second_run_changes_nothing(host, lab):
    before = fingerprint(host, f"{STABLE}/lab/fullchain.pem")
    rc, output = run_role(LAB)
    assert rc == 0, output
    assert changed_count(output) == 0, output
    assert fingerprint(host, f"{STABLE}/lab/fullchain.pem") == before


def test_selfsigned_new_name_makes_a_new_certificate_from_the_same_ca(host, lab):
    before = fingerprint(host, f"{STABLE}/lab/fullchain.pem")
    ca = fingerprint(host, f"{STABLE}/lab/ca.pem")
    rc, output = run_role(
        dict(LAB, tls_certificate_names=[*LAB["tls_certificate_names"], "api.lab.hbnb.test"])
    )
    assert rc == 0, output
    assert fingerprint(host, f"{STABLE}/lab/fullchain.pem") != before
    assert fingerprint(host, f"{STABLE}/lab/ca.pem") == ca
    assert "DNS:api.lab.hbnb.test" in sans(host, f"{STABLE}/lab/fullchain.pem")


def test_selfsigned_renewed_when_near_its_end(host, lab):
    """A 365-day certificate with renew_days 365 is due: made again, then left alone."""
    before = fingerprint(host, f"{STABLE}/lab/fullchain.pem")
    due = dict(LAB, tls_certificate_selfsigned_days=400, tls_certificate_selfsigned_renew_days=365)
    rc, output = run_role(due)
    assert rc == 0, output
    renewed = fingerprint(host, f"{STABLE}/lab/fullchain.pem")
    assert renewed != before
    rc, output = run_role(due)
    assert rc == 0, output
    assert changed_count(output) == 0, output
    assert fingerprint(host, f"{STABLE}/lab/fullchain.pem") == renewed


# --- files ------------------------------------------------------------------------------

FILES_NAMES = ["files.hbnb.test", "www.files.hbnb.test"]


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, *, ca, names=(), days=(-1, 90)):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*objects):
    out = b""
    for obj in objects:
        if isinstance(obj, x509.Certificate):
            out += obj.public_bytes(serialization.Encoding.PEM)
        else:
            out += obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
    return out


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A root, an intermediate and leaf certificates, as files on the controller."""
    directory = tmp_path_factory.mktemp("pki")
    root_key, inter_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    inter = _certificate("Files Test Intermediate", inter_key, "Files Test Root", root_key, ca=True)

    def leaf(names, days=(-1, 90)):
        key = ec.generate_private_key(ec.SECP256R1())
        return _certificate(
            names[0], key, "Files Test Intermediate", inter_key, ca=False, names=names, days=days
        ), key

    good, good_key = leaf(FILES_NAMES)
    expired, expired_key = leaf(FILES_NAMES, days=(-60, -1))
    partial, partial_key = leaf(FILES_NAMES[:1])
    other_key = ec.generate_private_key(ec.SECP256R1())
    files = {
        "chain": _pem(good, inter),
        "key": _pem(good_key),
        "other.key": _pem(other_key),
        "expired.pem": _pem(expired, inter),
        "expired.key": _pem(expired_key),
        "partial.pem": _pem(partial, inter),
        "partial.key": _pem(partial_key),
        "notacert.pem": b"This is not a certificate.\n",
        "vault-password": b"tls-certificate-test\n",
    }
    paths = {}
    for file_name, content in files.items():
        paths[file_name] = directory / file_name
        paths[file_name].write_bytes(content)
    # The good key is given Vault-encrypted, as a real inventory would.
    subprocess.run(
        [ANSIBLE_VAULT, "encrypt", "--vault-password-file", str(paths["vault-password"]), str(paths["key"])],
        check=True,
        capture_output=True,
    )
    paths["good_fingerprint"] = good.fingerprint(hashes.SHA256()).hex(":").upper()
    return paths


def run_files(pki, chain, key, **extra):
    extra_vars = {
        "tls_certificate_name": "upload",
        "tls_certificate_names": FILES_NAMES,
        "tls_certificate_source": "files",
        "tls_certificate_chain_file": str(pki[chain]),
        "tls_certificate_key_file": str(pki[key]),
        "tls_certificate_reload_commands": ["systemctl reload nginx"],
        **extra,
    }
    return run_role(extra_vars, "--vault-password-file", str(pki["vault-password"]))


@pytest.fixture(scope="module")
def upload(host, pki):
    """The good pair installed, then served by Nginx on 8443 from the stable paths."""
    rc, output = run_files(pki, "chain", "key")
    assert rc == 0, output
    host.check_output(
        "printf '%s\\n' 'server {' 'listen 8443 ssl;'"
        f" 'ssl_certificate {STABLE}/upload/fullchain.pem;'"
        f" 'ssl_certificate_key {STABLE}/upload/privkey.pem;'"
        " 'return 200;' '}' > /etc/nginx/sites-enabled/upload-tls && systemctl reload nginx"
    )
    return output


def test_files_good_pair_installed_and_served(host, pki, upload):
    path = f"{STABLE}/upload/fullchain.pem"
    assert fingerprint(host, path) == pki["good_fingerprint"]
    assert host.file(path).content_string.count("BEGIN CERTIFICATE") == 2  # leaf and intermediate
    assert host.file(f"{STABLE}/upload/privkey.pem").content_string.startswith("-----BEGIN PRIVATE KEY-----")
    check_stable_files(host, "upload")
    staged = host.file("/var/lib/tls_certificate/upload/staging/privkey.pem")
    assert (staged.mode, staged.user) == (0o600, "root")
    assert served(host, 8443, "files.hbnb.test") == pki["good_fingerprint"]


def test_files_second_run_changes_nothing(pki, upload):
    rc, output = run_files(pki, "chain", "key")
    assert rc == 0, output
    assert changed_count(output) == 0, output


@pytest.mark.parametrize(
    ("chain", "key", "message"),
    [
        (
            "chain",
            "other.key",
            "tls_certificate_key_file {key} does not match the certificate in"
            " tls_certificate_chain_file {chain}",
        ),
        ("notacert.pem", "key", "tls_certificate_chain_file {chain} is not a PEM certificate"),
        ("expired.pem", "expired.key", "the certificate in tls_certificate_chain_file {chain} expired on"),
        (
            "partial.pem",
            "partial.key",
            "tls_certificate_chain_file {chain} does not cover www.files.hbnb.test",
        ),
    ],
    ids=["key-mismatch", "not-a-certificate", "expired", "names-not-covered"],
)
def test_files_bad_input_fails_and_keeps_the_previous_certificate(host, pki, upload, chain, key, message):
    rc, output = run_files(pki, chain, key)
    assert rc != 0
    expected = message.format(chain=pki[chain], key=pki[key])
    assert expected in output, output
    assert fingerprint(host, f"{STABLE}/upload/fullchain.pem") == pki["good_fingerprint"]
    check_stable_files(host, "upload")
    assert served(host, 8443, "files.hbnb.test") == pki["good_fingerprint"]


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ({"tls_certificate_source": "letsencrypt"}, "tls_certificate_source"),
        ({"tls_certificate_names": []}, "tls_certificate_names"),
        ({"tls_certificate_names": ["bad_name!.test"]}, "tls_certificate_names"),
        ({"tls_certificate_source": "acme"}, "tls_certificate_acme_email"),
        (
            {
                "tls_certificate_source": "acme",
                "tls_certificate_acme_email": "a@b.test",
                "tls_certificate_acme_directory": "http://tlscert-acme-01:14000/dir",
            },
            "tls_certificate_acme_directory",
        ),
        (
            {"tls_certificate_source": "files", "tls_certificate_chain_file": "/tmp/x.pem"},
            "tls_certificate_key_file",
        ),
    ],
    ids=["source", "no-names", "bad-name", "acme-email", "acme-http", "files-key"],
)
def test_invalid_variables_fail_before_any_change(host, extra, variable):
    before = host.check_output("find /etc/ssl/tls_certificate /var/lib/tls_certificate | sort")
    base = {"tls_certificate_name": "invalid", "tls_certificate_names": ["x.hbnb.test"]}
    rc, output = run_role({**base, **extra})
    assert rc != 0
    # The failure's message names the variable (the loop's item labels do not count).
    failure = re.search(r"(fatal|failed): \[tlscert-01\].*", output)
    assert failure, output
    assert variable in re.sub(r"\(item=[^)]*\)", "", failure.group(0)), output
    assert host.check_output("find /etc/ssl/tls_certificate /var/lib/tls_certificate | sort") == before
