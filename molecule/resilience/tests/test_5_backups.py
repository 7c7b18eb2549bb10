"""Backups and restores (the backup role, playbooks/restore.yml) on the live
stack: a backup taken under a write load holds every write acknowledged
before it; a point-in-time restore undoes a destructive statement and keeps
every write before it; a damaged or truncated backup is refused before
anything changes.  The site stays up: during a backup no request fails,
during a restore it answers 200 or the maintenance 503, never anything else."""
import json
import subprocess

import pytest
from conftest import DR_HOST, run_playbook, wait_until
from stacktest import Load, WriteLoad, requester

# The stack is resilience-deb12; resilience-dr is a fresh host for restores
# and the off-host store of resilience-deb12's backups (the "backup" group).
testinfra_hosts = ["ansible://resilience-deb12"]

BACKUPS = "/var/backups/hbnb/full"
BINLOGS = "/var/backups/hbnb/binlogs"
STORE = "/var/backups/hbnb-offhost/resilience-deb12"
DATABASE = "hbnb_dev_db"
READ_ROUTES = ["/api/v1/states", "/api/v1/stats", "/", "/airbnb-onepage/"]


def newest_backup(host, label=""):
    listing = json.loads(host.check_output("hbnb-backup list --json"))
    names = [row["name"] for row in listing if row.get("label", "") == label and "error" not in row]
    assert names, listing
    return names[-1]


def latest_backup(host):
    """What "latest" means to hbnb-backup: the newest backup, whatever its label."""
    return json.loads(host.check_output("hbnb-backup list --json"))[-1]["name"]


def manifest(host, name):
    return json.loads(host.file("{}/{}/manifest.json".format(BACKUPS, name)).content_string)


def epoch(host, iso_time):
    return float(host.check_output("date -d %s +%%s.%%N", iso_time.replace("T", " ").rstrip("Z") + " UTC"))


def states_by_id(host):
    return {state["id"]: state for state in requester(host)("/api/v1/states").json()}


def live_checksums(host):
    tables = host.check_output("mariadb -N -e %s", "SELECT GROUP_CONCAT(table_name ORDER BY table_name) "
                               "FROM information_schema.tables WHERE table_schema = '{}'".format(DATABASE))
    return host.check_output("mariadb -N -e %s", "CHECKSUM TABLE " + ", ".join(
        "{}.{}".format(DATABASE, table) for table in tables.split(",")))


def restore(host, *extra):
    """restore.yml under a read load; returns (result, the load's figures)."""
    load = Load(host, READ_ROUTES, threads=2)
    result, _ = run_playbook("playbooks/restore.yml", *extra)
    figures = load.stop(min_overlapping=10)
    return result, figures


def assert_only_served_or_maintenance(figures):
    """A restore's clients see the site (200) or the maintenance answer (503
    with Retry-After), never an error page or a refused connection."""
    assert set(figures["statuses"]) <= {"200", "503"}, figures
    assert figures["statuses"].get("503", 0) > 0, "the site never went into maintenance: {}".format(figures)


def test_the_backup_timers_are_scheduled(host):
    for timer in ("hbnb-backup.timer", "hbnb-backup-binlogs.timer"):
        assert host.service(timer).is_enabled and host.service(timer).is_running, timer
    assert host.check_output("systemctl show -p Persistent --value hbnb-backup.timer") == "yes"
    assert host.file("/var/backups/hbnb").mode == 0o700


def test_maintenance_answers_503_with_retry_after_but_keeps_the_health_check(host):
    run = requester(host)
    host.check_output("touch /srv/airbnb/maintenance/on")
    try:
        api, page, status = run("/api/v1/states"), run("/"), run("/api/v1/status")
        posted = run("/api/v1/states", "POST", {"name": "refused in maintenance"})
    finally:
        host.check_output("rm -f /srv/airbnb/maintenance/on")
    assert (api.status, api.json()) == (503, {"error": "Service unavailable"})
    assert api.headers["content-type"] == "application/json" and api.headers["retry-after"] == "30"
    assert page.status == 503 and "Back in a moment" in page.text and page.headers["retry-after"] == "30"
    assert "text/html" in page.headers["content-type"]
    assert (posted.status, posted.json()) == (503, {"error": "Service unavailable"})
    assert status.status == 200
    assert run("/api/v1/states").status == 200


def test_a_backup_under_write_load_restored_on_a_fresh_host_holds_every_acknowledged_write(
        host, dr_host, tmp_path):
    """Disaster recovery: the backup, copied off the host, rebuilds the
    database on a host that has never run MariaDB."""
    load = WriteLoad(host)
    backup = host.run("systemctl start hbnb-backup.service")
    writes = load.stop(min_overlapping=5)
    assert backup.rc == 0, backup.stderr
    assert writes["failed"] == 0, writes
    name = newest_backup(host)
    taken = manifest(host, name)
    started, finished = epoch(host, taken["started"]), epoch(host, taken["finished"])
    before = [w for w in writes["acknowledged"] if w[2] < started]
    after = [w for w in writes["acknowledged"] if w[2] > finished]
    print("backup {}: {} writes acknowledged before it, {} during, {} after".format(
        name, len(before), len(writes["acknowledged"]) - len(before) - len(after), len(after)))
    assert before and after, writes

    # The copy the backup unit sent off the host: what is left when the host is lost.
    copy = tmp_path / name
    subprocess.run(["docker", "cp", "{}:{}/full/{}".format(DR_HOST, STORE, name), str(copy)], check=True)
    assert not dr_host.exists("mariadb")
    result, _ = run_playbook("playbooks/restore.yml", "-e", "restore_from={}".format(copy),
                             "-e", "restore_host=" + DR_HOST, "-e", "restore_web_hosts=none")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    rows = dr_host.check_output("mariadb -N -e %s", "SELECT id, name FROM {}.states".format(DATABASE))
    restored = dict(line.split("\t") for line in rows.splitlines())
    # Every write acknowledged before the backup began is there, whole.
    missing = [w for w in before if restored.get(w[0]) != w[1]]
    assert not missing, missing[:5]
    # Nothing written after it finished; whatever came between is whole.
    assert not [w for w in after if w[0] in restored]
    assert all(restored[w[0]] == w[1] for w in writes["acknowledged"] if w[0] in restored)
    # Every table holds as many rows as the live one did at the backup.
    for table, recorded in taken["databases"][DATABASE]["tables"].items():
        count = dr_host.check_output("mariadb -N -e %s", "SELECT COUNT(*) FROM {}.{}".format(DATABASE, table))
        assert int(count) == recorded["rows"], table


def sums(host, directory):
    """{file: sha256} of the files in directory."""
    listing = host.check_output("cd %s && sha256sum -- *", directory)
    return {line.split()[1]: line.split()[0] for line in listing.splitlines()}


def test_off_host_copies_match_and_their_key_can_only_add_copies(host, dr_host):
    assert host.run("systemctl start hbnb-backup-binlogs.service").rc == 0
    state = json.loads(host.file("/var/lib/hbnb-backup/offhost.json").content_string)
    assert state["result"] == "passed", state
    # Every kept backup and archived binary log is on the store, file for file.
    names = [row["name"] for row in json.loads(host.check_output("hbnb-backup list --json"))]
    for name in names:
        stored = sums(dr_host, "{}/full/{}".format(STORE, name))
        assert stored == sums(host, "{}/{}".format(BACKUPS, name)), name
    local_logs = sums(host, BINLOGS)
    assert local_logs and local_logs.items() <= sums(dr_host, STORE + "/binlogs").items()

    # The db host's key runs nothing but the forced command: no shell, no
    # replacing a copy, no path out of its directory.
    address = json.loads(host.check_output("cat /etc/hbnb-backup.json"))["offhost"]["host"]
    ssh = ("ssh -i /var/lib/hbnb-backup/offhost_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=yes"
           " -o UserKnownHostsFile=/var/lib/hbnb-backup/offhost_known_hosts hbnb-backup@" + address)
    shell = host.run(ssh + " id")
    assert shell.rc != 0 and "uid=" not in shell.stdout
    assert "this key may only run: list | put full NAME | put binlog FILE (not 'id')" in shell.stderr
    newest = names[-1]
    again = host.run("tar -C %s/%s -cf - . | " + ssh + " put full %s", BACKUPS, newest, newest)
    assert again.rc != 0 and "a stored copy is never replaced" in again.stderr, again.stderr
    outside = host.run("tar -cPf - /etc/hostname | " + ssh + " put full 20000101T000000Z")
    assert outside.rc != 0 and "'/etc/hostname': not a file this request may send" in outside.stderr
    assert host.run(ssh + " put full ../../../tmp").rc != 0
    assert not dr_host.exists("{}/full/20000101T000000Z".format(STORE)) and not dr_host.exists("/tmp/full")

    # A copy damaged on the store's disk fails the next run, naming it.
    stored_dump = "{}/full/{}/dump.sql.zst".format(STORE, newest)
    dr_host.check_output("printf x | dd of=%s bs=1 seek=100 conv=notrunc 2>/dev/null", stored_dump)
    try:
        failed = host.run("systemctl start hbnb-backup-binlogs.service")
        assert failed.rc != 0
        assert host.check_output("systemctl is-failed hbnb-backup-binlogs.service || true") == "failed"
        state = json.loads(host.file("/var/lib/hbnb-backup/offhost.json").content_string)
        assert state["result"] == "failed", state
        assert "{}/dump.sql.zst: the store's copy differs (sha256)".format(newest) in state["error"]
    finally:
        # Its owner removes the damaged copy; the next push sends it again.
        dr_host.check_output("rm -rf %s/full/%s", STORE, newest)
        host.run("systemctl reset-failed hbnb-backup-binlogs.service")
    assert host.run("hbnb-backup push").rc == 0
    assert sums(dr_host, "{}/full/{}".format(STORE, newest)) == sums(host, "{}/{}".format(BACKUPS, newest))


def test_a_point_in_time_restore_undoes_a_delete_and_keeps_every_write_before_it(host):
    run = requester(host)
    assert host.run("systemctl start hbnb-backup.service").rc == 0
    # Writes after the backup: only the binary log has them.
    load = WriteLoad(host)
    wait_until(lambda: False, timeout=3)
    writes = load.stop(min_overlapping=5)
    assert writes["failed"] == 0 and writes["acknowledged"], writes
    stats = run("/api/v1/stats").json()
    places = sorted(place["id"] for place in run("/api/v1/places_search", "POST", {}).json())
    assert places
    wait_until(lambda: False, timeout=1.5)
    moment = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    wait_until(lambda: False, timeout=1.5)
    host.check_output("mariadb %s -e %s", DATABASE, "DELETE FROM places")
    assert host.check_output("mariadb -N %s -e %s", DATABASE, "SELECT COUNT(*) FROM places") == "0"

    result, figures = restore(host, "-e", "restore_to='{}'".format(moment))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert_only_served_or_maintenance(figures)
    assert run("/api/v1/stats").json() == stats
    assert sorted(place["id"] for place in run("/api/v1/places_search", "POST", {}).json()) == places
    restored = states_by_id(host)
    missing = [w for w in writes["acknowledged"] if restored.get(w[0], {}).get("name") != w[1]]
    assert not missing, missing[:5]


@pytest.mark.parametrize("damage", ["one byte changed", "cut short"])
def test_a_damaged_backup_is_refused_naming_the_file_and_nothing_changes(host, damage):
    good = newest_backup(host)
    bad = good[:16] + "-" + damage.replace(" ", "-")
    dump = "{}/{}/dump.sql.zst".format(BACKUPS, bad)
    host.check_output("rm -rf %s/%s && cp -a %s/%s %s/%s", BACKUPS, bad, BACKUPS, good, BACKUPS, bad)
    size = int(host.check_output("stat -c %%s %s", dump))
    if damage == "cut short":
        host.check_output("truncate -s %s %s", str(size // 2), dump)
    else:
        host.check_output("python3 -c %s %s %s", "import sys; f = open(sys.argv[1], 'r+b'); "
                          "f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); "
                          "f.write(bytes([b[0] ^ 0x01]))", dump, str(size // 2))
    try:
        checksums = live_checksums(host)
        result, _ = run_playbook("playbooks/restore.yml", "-e", "restore_backup=" + bad)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert dump in output, output[-3000:]
        assert ("truncated" if damage == "cut short" else "sha256 differs") in output
        # Stopped before the maintenance and before any change to the data.
        assert "PLAY [Put the web hosts in maintenance]" not in output
        assert live_checksums(host) == checksums
        assert requester(host)("/api/v1/states").status == 200
    finally:
        host.check_output("rm -rf %s/%s", BACKUPS, bad)


@pytest.mark.parametrize("restore_to, message", [
    ("yesterday", 'restore_to a time as "YYYY-MM-DD HH:MM:SS"'),
    ("2000-01-01 00:00:00", "restore_to: 2000-01-01 00:00:00 lies before the oldest backup"),
])
def test_a_bad_restore_to_stops_before_any_change_naming_it(host, restore_to, message):
    checksums = live_checksums(host)
    result, recap = run_playbook("playbooks/restore.yml", "-e", "restore_to='{}'".format(restore_to))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in " ".join(output.split()), output[-3000:]
    assert "PLAY [Put the web hosts in maintenance]" not in output
    assert all(counts["changed"] == 0 for counts in recap.values())
    assert live_checksums(host) == checksums


def test_the_restore_drill_passes_on_a_good_backup_and_fails_its_unit_on_a_damaged_one(host):
    good = latest_backup(host)
    assert host.run("systemctl start hbnb-backup-drill.service").rc == 0
    state = json.loads(host.file("/var/lib/hbnb-backup/drill.json").content_string)
    assert (state["result"], state["backup"]) == ("passed", good), state
    tables = manifest(host, good)["databases"][DATABASE]["tables"]
    assert state["rows"] == sum(table["rows"] for table in tables.values()) > 0
    # The scratch server is gone, and it never was the live one.
    assert host.service("mariadb").is_running
    assert not host.exists("/var/lib/hbnb-backup/drill")

    # A newer backup whose rows differ from what its (intact) manifest says.
    bad = good[:16] + "-drifted"
    host.check_output("cp -a %s/%s %s/%s && touch %s/%s", BACKUPS, good, BACKUPS, bad, BACKUPS, bad)
    host.check_output("python3 -c %s %s", "import hashlib, json, sys; d = sys.argv[1]; "
                      "m = json.load(open(d + '/manifest.json')); "
                      "m['databases']['{}']['tables']['states']['rows'] += 1; "
                      "t = json.dumps(m, indent=1, sort_keys=True) + '\\n'; "
                      "open(d + '/manifest.json', 'w').write(t); "
                      "open(d + '/manifest.json.sha256', 'w')"
                      ".write(hashlib.sha256(t.encode()).hexdigest() + '\\n')"
                      .format(DATABASE), "{}/{}".format(BACKUPS, bad))
    try:
        assert latest_backup(host) == bad
        drill = host.run("systemctl start hbnb-backup-drill.service")
        assert drill.rc != 0
        assert host.check_output("systemctl is-failed hbnb-backup-drill.service || true") == "failed"
        state = json.loads(host.file("/var/lib/hbnb-backup/drill.json").content_string)
        assert (state["result"], state["backup"]) == ("failed", bad), state
        assert "the restored tables states of {} differ from the manifest".format(DATABASE) in state["error"]
    finally:
        host.run("rm -rf %s/%s; systemctl reset-failed hbnb-backup-drill.service", BACKUPS, bad)


def test_a_full_disk_fails_the_backup_unit_and_keeps_the_site_and_older_backups(host):
    """The backup directory on a small filesystem of its own that fills up."""
    names = json.loads(host.check_output("hbnb-backup list --json"))
    host.check_output("mkdir -p /run/small-disk && mount -t tmpfs -o size=8m tmpfs /run/small-disk"
                      " && cp -a /var/backups/hbnb/. /run/small-disk/"
                      " && mount --bind /run/small-disk /var/backups/hbnb")
    try:
        # Nearly full: a few kilobytes are left, less than a backup needs.
        host.check_output("dd if=/dev/zero of=/var/backups/hbnb/filler bs=1k 2>/dev/null"
                          " count=$(( $(df -k --output=avail /var/backups/hbnb | tail -1) - 12 ))")
        load = WriteLoad(host)
        backup = host.run("systemctl start hbnb-backup.service")
        writes = load.stop(min_overlapping=3)
        assert backup.rc != 0
        assert host.check_output("systemctl is-failed hbnb-backup.service || true") == "failed"
        state = json.loads(host.file("/var/lib/hbnb-backup/backup.json").content_string)
        assert state["result"] == "failed" and "No space left" in state["error"], state
        # The site served every write meanwhile, each one there; no partial backup is left.
        assert writes["failed"] == 0, writes
        stored = states_by_id(host)
        missing = [w for w in writes["acknowledged"] if stored.get(w[0], {}).get("name") != w[1]]
        assert writes["acknowledged"] and not missing, missing[:5]
        assert json.loads(host.check_output("hbnb-backup list --json")) == names
        assert not host.check_output("ls -A /var/backups/hbnb/full | grep partial || true")
        for row in names:
            assert host.run("hbnb-backup verify %s", row["name"]).rc == 0, row["name"]
    finally:
        host.run("umount /var/backups/hbnb; umount /run/small-disk; "
                 "systemctl reset-failed hbnb-backup.service")
    assert requester(host)("/api/v1/states").status == 200


def test_encrypted_backups_are_unreadable_on_the_host_and_restore_with_the_private_key(
        host, dr_host, tmp_path):
    """The operator's key pair is made elsewhere (resilience-dr plays the
    operator's machine); the db host only ever gets the public key."""
    dr_host.check_output("apt-get install -y -q age >/dev/null 2>&1 || (apt-get update -q >/dev/null"
                         " && apt-get install -y -q age >/dev/null)")
    dr_host.check_output("rm -f /root/hbnb.age && age-keygen -o /root/hbnb.age 2>/dev/null")
    public = dr_host.check_output("age-keygen -y /root/hbnb.age")
    identity = tmp_path / "hbnb.age"
    subprocess.run(["docker", "cp", "{}:/root/hbnb.age".format(DR_HOST), str(identity)], check=True)
    dr_host.check_output("rm -f /root/hbnb.age")
    result, _ = run_playbook("site.yml", "-e", json.dumps({"backup_encrypt_recipients": [public]}))
    assert result.returncode == 0, result.stdout[-3000:]

    assert host.run("systemctl start hbnb-backup.service").rc == 0
    name = latest_backup(host)
    dump = "{}/{}/dump.sql.zst.age".format(BACKUPS, name)
    assert sorted(manifest(host, name)["files"]) == ["dump.sql.zst.age"]
    # Nothing on the host can read it: not zstd, not age without the key.
    assert host.run("zstd -t %s", dump).rc != 0
    assert host.run("age -d %s", dump).rc != 0
    assert not host.run("grep -rls --devices=skip AGE-SECRET-KEY"
                        " /etc /root /var/lib /var/backups /srv /run").stdout
    # A write after the backup, only in the (encrypted) archived binary logs.
    run = requester(host)
    written = run("/api/v1/states", "POST", {"name": "after the encrypted backup"}).json()
    wait_until(lambda: False, timeout=1.5)
    moment = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    checksums = live_checksums(host)

    refused, _ = run_playbook("playbooks/restore.yml", "-e", "restore_to='{}'".format(moment))
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "restore_identity: backup {} is encrypted (age); give the private key file".format(name) \
        in " ".join(output.split()), output[-3000:]
    assert "PLAY [Put the web hosts in maintenance]" not in output
    assert live_checksums(host) == checksums

    host.check_output("mariadb %s -e %s", DATABASE,
                      "DELETE FROM states WHERE id = '{}'".format(written["id"]))
    result, figures = restore(host, "-e", "restore_to='{}'".format(moment),
                              "-e", "restore_identity={}".format(identity))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert_only_served_or_maintenance(figures)
    assert run("/api/v1/states/" + written["id"]).json() == written
    assert not host.exists("/run/hbnb-backup-restore.identity")
