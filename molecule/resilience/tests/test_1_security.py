"""Security of the deployed stack: sandboxed unprivileged Gunicorn units,
the database password kept out of command lines, readable files and
playbook output, and role variables checked before anything changes."""
import json

import pytest
from conftest import gunicorn_processes, run_playbook
from stacktest import STACK_INSTANCES, changed_tasks, site_base

# The stack is resilience-deb12; resilience-dr is a fresh host for restores.
testinfra_hosts = ["ansible://resilience-deb12"]

INSTANCES = STACK_INSTANCES
ENV_FILE = "/etc/airbnb/app.env"
# Files a run with bad variables must leave exactly as they were.
DEPLOYED = [ENV_FILE, "/etc/nginx/nginx.conf", "/etc/nginx/sites-available/airbnb",
            "/etc/mysql/mariadb.conf.d/60-appserver.cnf"] + \
    ["/etc/gunicorn/{}.conf.py".format(name) for name in INSTANCES] + \
    ["/etc/systemd/system/{}.service".format(name) for name in INSTANCES]


def db_password(host):
    for line in host.file(ENV_FILE).content_string.splitlines():
        if line.startswith("HBNB_MYSQL_PWD="):
            return line.split("=", 1)[1]
    raise AssertionError("no password in " + ENV_FILE)


@pytest.mark.parametrize("name", INSTANCES)
def test_every_instance_is_sandboxed_with_exposure_at_most_3(host, name):
    out = host.check_output("systemd-analyze security --no-pager %s", name)
    score = float(out.strip().splitlines()[-1].split("level for")[1].split(":")[1].split()[0])
    print("{} exposure {}".format(name, score))
    assert score <= 3.0


@pytest.mark.parametrize("name", INSTANCES)
def test_masters_and_workers_run_unprivileged(host, name):
    master, workers = gunicorn_processes(host, name)
    assert master and workers
    for pid in [master] + workers:
        status = host.file("/proc/{}/status".format(pid)).content_string
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        assert fields["Uid"].split()[:2] == [str(host.user("airbnb").uid)] * 2
        assert fields["NoNewPrivs"].strip() == "1"
        assert int(fields["CapEff"], 16) == 0 and int(fields["CapBnd"], 16) == 0
    assert host.user("airbnb").shell in ("/usr/sbin/nologin", "/bin/false")


def test_only_nginx_listens_beyond_loopback(host):
    public = {s for s in host.socket.get_listening_sockets()
              if s.startswith("tcp://") and not s.startswith(("tcp://127.", "tcp://::1:"))}
    assert {s.rsplit(":", 1)[1] for s in public} == {"80"}


# Run on the host: reads the password from the environment file itself, so
# that the scan puts it on no command line of its own.
_CMDLINE_SCAN = r"""
import glob, json
password = [line.split("=", 1)[1] for line in open("/etc/airbnb/app.env").read().splitlines()
            if line.startswith("HBNB_MYSQL_PWD=")][0].encode()
hits, scanned = [], 0
for path in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    scanned += 1
    if password in data:
        hits.append(data.replace(b"\0", b" ").decode("utf-8", "replace")[:200])
print(json.dumps({"scanned": scanned, "hits": hits}))
"""


def test_password_is_on_no_command_line(host):
    out = json.loads(host.check_output("python3 -c %s", _CMDLINE_SCAN))
    print("command lines scanned: {scanned}, holding the password: {hits}".format(**out))
    assert out["scanned"] > 20
    assert out["hits"] == []


def test_password_is_in_no_world_readable_file(host):
    password = db_password(host)
    found = host.check_output(
        "grep -rlF --exclude-dir=archives -- %s /etc /srv /var /tmp /opt /usr/local /root "
        "2>/dev/null || true", password).split()
    print("files holding the database password: {}".format(found))
    assert ENV_FILE in found
    for path in found:
        assert host.file(path).mode & 0o004 == 0, "{} is world-readable".format(path)
    env = host.file(ENV_FILE)
    assert (env.mode, env.user, env.group) == (0o600, "airbnb", "airbnb")


def test_rerun_changes_nothing_and_prints_no_secret(host):
    """Re-running site.yml, verbose and with --diff, changes nothing and never
    shows the database password."""
    password = db_password(host)
    result, recap = run_playbook("site.yml", "-v", "--diff")
    assert result.returncode == 0, result.stdout[-3000:]
    print("re-run recap: {}".format(recap))
    assert recap and all(counts["changed"] == 0 for counts in recap.values()), \
        changed_tasks(result.stdout)
    assert password not in result.stdout + result.stderr


def instance_list(**changes):
    """The default instance list with one instance changed, for -e."""
    import yaml  # ansible's dependency, present wherever molecule runs
    from stacktest import PROJECT
    defaults = yaml.safe_load((PROJECT / "roles/airbnb_app/defaults/main.yml").read_text())
    instances = defaults["airbnb_app_gunicorn_instances"]
    name = changes.pop("name")
    for instance in instances:
        if instance["name"] == name:
            instance.update(changes)
    return {"airbnb_app_gunicorn_instances": instances}


ARG_SPEC_TASK = ("{} : Validating arguments against arg spec 'validate' - "
                 "Check the role's variables without changing anything")

# case: (extra variables, the check that must stop the run, its whole message)
BAD_VARIABLES = {
    "two instances on one port": (
        instance_list(name="gunicorn-api", bind="127.0.0.1:5003"),
        "gunicorn : Check that instance names and binds are unique",
        "gunicorn_instances: every instance needs its own name and its own bind (names: gunicorn-onepage, "
        "gunicorn-odd-even, gunicorn-api, gunicorn, gunicorn-search; binds: 127.0.0.1:5000, 127.0.0.1:5001, "
        "127.0.0.1:5003, 127.0.0.1:5003, 127.0.0.1:5004)"),
    "HBNB_ENV in the environment": (
        {"airbnb_app_environment": {"HBNB_ENV": "test"}},
        "airbnb_app : Check the extra environment settings",
        "airbnb_app_environment: HBNB_ENV may not be set by a deployment (HBNB_ENV=test drops every "
        "table); keys must be upper-case names, values single lines"),
    # The arg spec's message goes on with the list of the keys it knows.
    "an environment setting on an instance": (
        instance_list(name="gunicorn-api", environment={"HBNB_ENV": "test"}),
        ARG_SPEC_TASK.format("gunicorn"),
        "Validation of arguments failed: gunicorn_instances.environment. Supported parameters include: "),
    "a short password": (
        {"airbnb_app_db_password": "Short7pw"},
        "airbnb_app : Check the database settings",
        'airbnb_app_db_password must be set (12 characters or more, no spaces) when airbnb_app_storage is '
        '"db" (e.g. from Ansible Vault), and airbnb_app_db_name / airbnb_app_db_user must be plain '
        'identifiers'),
    "an unknown storage": (
        {"airbnb_app_storage": "memory"},
        ARG_SPEC_TASK.format("airbnb_app"),
        "Validation of arguments failed: value of airbnb_app_storage must be one of: db, fs, got: memory"),
    "a body size that is no size": (
        {"nginx_client_max_body_size": "lots"},
        "nginx : Check the global settings",
        'nginx_packages must be a non-empty list; nginx_worker_processes "auto" or a number; '
        'nginx_client_max_body_size an nginx size ("1m", "512k", "0" for no limit); nginx_*_timeout nginx '
        'times ("15s", "1m"); nginx_security_headers keys header names; nginx_extra_http_options and '
        'nginx_sites lists (got nginx_worker_processes=auto, nginx_client_max_body_size=lots, '
        'timeouts=15s, 15s, 30s, 65s, 5s, 60s, 60s)'),
    "a port out of range": (
        {"mariadb_port": 70000},
        "mariadb : Check the listening address, port and settings",
        'mariadb_bind_address must be one address (got "127.0.0.1"), mariadb_port 1-65535 (got 70000), '
        "mariadb_max_connections >= 1, mariadb_innodb_buffer_pool_size a size such as 128M, "
        "mariadb_collation one of mariadb_character_set's (utf8mb4_...), mariadb_extra_settings keys "
        "option names"),
    "a retention of 0": (
        {"backup_keep_daily": 0},
        "backup : Check the retention",
        "backup_keep_daily must be 1 or more (got 0): a retention of 0 would delete every backup; "
        "backup_keep_weekly 0 or more (got 4)"),
    "an unknown backup method": (
        {"backup_method": "tape"},
        ARG_SPEC_TASK.format("backup"),
        "Validation of arguments failed: value of backup_method must be one of: mariadb-dump, file, "
        "got: tape"),
    "an encryption key that is not an age public key": (
        {"backup_encrypt_recipients": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"]},
        "backup : Check the encryption keys",
        'backup_encrypt_recipients must list age public keys ("age1" and 58 more characters, as age-keygen '
        "prints them); not: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"),
    "an off-host store key that is no public key": (
        {"backup_offhost_host_key": "AAAAC3NzaC1lZDI1NTE5 store"},
        "backup : Check the off-host copies",
        'backup_offhost_host must be a host name or address ("" for none), backup_offhost_port a port '
        '(got 22), backup_offhost_user a user name (got "hbnb-backup"), backup_offhost_host_key the '
        'store\'s public host key as "ssh-ed25519 AAAA..." (got "AAAAC3NzaC1lZDI1NTE5 store")'),
    "a location with a typo": (
        {"airbnb_app_nginx_sites": [
            {"name": "airbnb", "locations": [{"path": "/", "proxypass": "http://127.0.0.1:5003"}]}]},
        ARG_SPEC_TASK.format("nginx"),
        "Validation of arguments failed: nginx_sites.locations.proxypass. Supported parameters include: "
        "alias, extra, path, proxy_pass, return."),
}


def first_failure(stdout, stderr):
    """(task, message with its lines joined) of the first failed task.  The
    task's banner is on stdout; the failure itself may be on stderr."""
    import yaml  # ansible's dependency, present wherever molecule runs
    out = stdout.splitlines()
    for lines in (out, stderr.splitlines()):
        starts = [number for number, line in enumerate(lines) if line.startswith("fatal: [")]
        if starts:
            break
    else:
        raise AssertionError("no failed task in the output")
    start = starts[0]
    banners = [line for line in (lines[:start] if lines is out else out) if line.startswith("TASK [")]
    block = []
    for line in lines[start + 1:]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line[4:])
    message = yaml.safe_load("\n".join(block))["msg"]
    return banners[-1][len("TASK ["):banners[-1].rindex("]")], " ".join(message.split())


@pytest.mark.parametrize("case", sorted(BAD_VARIABLES))
def test_bad_variables_fail_before_any_change_naming_the_variable(host, tmp_path, case):
    extra, task, message = BAD_VARIABLES[case]
    checksums = "sha256sum" + " %s" * len(DEPLOYED)
    before = host.check_output(checksums, *DEPLOYED)
    extra_file = tmp_path / "extra.json"
    extra_file.write_text(json.dumps(extra))
    result, recap = run_playbook("site.yml", "-e", "@{}".format(extra_file))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    failed_task, failure = first_failure(result.stdout, result.stderr)
    print("{}: stopped by [{}]: {}".format(case, failed_task, failure))
    assert failed_task == task
    assert failure == message or (message.endswith(": ") and failure.startswith(message)), failure
    assert "Check the settings" in output and "PLAY [Database servers]" not in output
    assert all(counts["changed"] == 0 for counts in recap.values())
    assert host.check_output(checksums, *DEPLOYED) == before
    if "password" in case:
        assert extra["airbnb_app_db_password"] not in output


def test_nginx_hides_its_version_and_sends_security_headers(http):
    response = http("/api/v1/status")
    assert response.headers["server"] == "nginx"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "x-frame-options" in response.headers
    assert "x-powered-by" not in response.headers


# The body is built on the host: 2 MiB do not fit on a command line.
_BIG_POST = r"""
import json, ssl, sys, urllib.request, urllib.error

body = json.dumps({"name": "x" * (2 * 1024 * 1024)}).encode()
request = urllib.request.Request(sys.argv[1] + "/api/v1/states", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(request, timeout=30, context=ssl._create_unverified_context()).status)
except urllib.error.HTTPError as error:
    print(error.code)
"""


def test_a_body_over_the_limit_is_refused_with_413(host, http):
    assert host.check_output("python3 -c %s %s", _BIG_POST, site_base(host)) == "413"
    assert http("/api/v1/states").status == 200


def test_no_path_escapes_from_static(http, host):
    secret = host.check_output("head -c 40 /srv/airbnb/current/api/v1/app.py")
    for path in ("/static/../api/v1/app.py", "/static/%2e%2e/api/v1/app.py",
                 "/static/..%2fapi/v1/app.py", "/static../api/v1/app.py",
                 "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
        response = http(path)
        assert secret not in response.text and "root:" not in response.text, path
    assert http("/static/styles/4-common.css").status == 200


def test_password_is_not_in_the_repository(host):
    """The generated password stays in the controller's .credentials/ (mode
    0600, ignored by git): no tracked file holds it."""
    import subprocess

    from stacktest import PROJECT
    password = db_password(host)
    tracked = subprocess.run(["git", "-C", str(PROJECT), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert tracked and not [path for path in tracked if ".credentials" in path]
    found = subprocess.run(["git", "-C", str(PROJECT), "grep", "-lF", "-e", password],
                           capture_output=True, text=True)
    assert found.returncode == 1 and found.stdout == ""
    kept = list((PROJECT / ".credentials").glob("*/airbnb_db_password"))
    assert kept and all(path.stat().st_mode & 0o077 == 0 for path in kept)
    assert any(path.read_text().strip() == password for path in kept)
