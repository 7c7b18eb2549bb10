"""The FileStorage engine through site.yml (airbnb_app_storage: fs): the web
host's JSON file is backed up by the same role (timer, manifest, drill,
off-host copy) and restored by playbooks/restore.yml, the site in maintenance
meanwhile.  Last: it switches the stack to FileStorage for good."""
import json

import pytest
from conftest import run_playbook
from stacktest import requester
from test_5_backups import STORE, assert_only_served_or_maintenance, latest_backup, manifest, restore

testinfra_hosts = ["ansible://resilience-deb12"]
HOST = "resilience-deb12"
DATA_FILE = "/var/lib/airbnb/file.json"


@pytest.fixture(scope="module")
def file_storage(host):
    result, _ = run_playbook("site.yml", "-e", "airbnb_app_storage=fs")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return host


def test_the_json_file_is_backed_up_off_the_host_and_restored(file_storage, dr_host):
    host, run = file_storage, requester(file_storage)
    assert json.loads(host.check_output("cat /etc/hbnb-backup.json"))["method"] == "file"
    kept = [run("/api/v1/states", "POST", {"name": "kept {}".format(n)}).json() for n in range(3)]
    assert host.run("systemctl start hbnb-backup.service").rc == 0
    name = latest_backup(host)
    taken = manifest(host, name)
    assert taken["file"]["path"] == DATA_FILE and taken["file"]["objects"] >= 3, taken["file"]
    assert dr_host.exists("{}/full/{}/file.json.zst".format(STORE, name))

    # After the backup: one more state, and one of the kept ones deleted.
    later = run("/api/v1/states", "POST", {"name": "after the backup"}).json()
    assert run("/api/v1/states/" + kept[0]["id"], "DELETE").status == 200
    refused, _ = run_playbook("playbooks/restore.yml", "-e", "restore_host=" + HOST,
                              "-e", "restore_web_hosts=" + HOST, "-e", "restore_to='2026-12-01 00:00:00'")
    assert refused.returncode != 0
    assert "restore_to: a point in time needs the binary logs of MariaDB" in refused.stdout + refused.stderr

    result, figures = restore(host, "-e", "restore_host=" + HOST, "-e", "restore_web_hosts=" + HOST)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert_only_served_or_maintenance(figures)
    for state in kept:
        assert run("/api/v1/states/" + state["id"]).json() == state
    assert run("/api/v1/states/" + later["id"]).status == 404
    # What the restore replaced is kept: the state written after the backup.
    replaced = [row for row in json.loads(host.check_output("hbnb-backup list --json"))
                if row["label"] == "pre-restore"][-1]
    assert host.run("hbnb-backup verify %s", replaced["name"]).rc == 0
    assert host.file(DATA_FILE).user == "airbnb"


def test_the_drill_checks_the_json_file(file_storage):
    host = file_storage
    assert host.run("systemctl start hbnb-backup-drill.service").rc == 0
    state = json.loads(host.file("/var/lib/hbnb-backup/drill.json").content_string)
    assert (state["result"], state["backup"]) == ("passed", latest_backup(host)), state
