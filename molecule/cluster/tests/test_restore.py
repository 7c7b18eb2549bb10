"""Backups on the cluster's database host, db-01, as site.yml deploys them:
a backup under a write load through lb-01 fails no request, and
playbooks/restore.yml puts both web hosts in maintenance while db-01
restores a point in time: through the balancer every answer is the site
(200) or the maintenance 503, and every write acknowledged before that
moment is back."""
import json

import pytest
import testinfra
from conftest import Load, run_playbook, wait_until
from stacktest import WriteLoad, requester

# The tests run on lb-01 and reach db-01 through ``db``.
testinfra_hosts = ["ansible://lb-01"]


@pytest.fixture(scope="module")
def db(request):
    inventory = request.config.option.ansible_inventory
    return testinfra.get_host("ansible://db-01?ansible_inventory={}".format(inventory))


def test_db_01_backs_itself_up_under_load_and_restores_a_point_in_time(host, db):
    for timer in ("hbnb-backup.timer", "hbnb-backup-binlogs.timer", "hbnb-backup-drill.timer"):
        assert db.service(timer).is_enabled and db.service(timer).is_running, timer
    writes = WriteLoad(host)
    backup = db.run("systemctl start hbnb-backup.service")
    before = writes.stop(min_overlapping=5)
    assert backup.rc == 0, backup.stderr
    assert before["failed"] == 0, before
    assert db.run("systemctl start hbnb-backup-drill.service").rc == 0
    assert json.loads(db.file("/var/lib/hbnb-backup/drill.json").content_string)["result"] == "passed"

    wait_until(lambda: False, timeout=1.5)
    moment = db.check_output("date '+%Y-%m-%d %H:%M:%S'")
    wait_until(lambda: False, timeout=1.5)
    db.check_output("mariadb hbnb_dev_db -e %s", "DELETE FROM states WHERE name LIKE 'write-%'")

    load = Load(host, ["/api/v1/states", "/", "/airbnb-onepage/"], threads=2)
    result, recap = run_playbook("playbooks/restore.yml", "-e", "restore_to='{}'".format(moment))
    figures = load.stop(min_overlapping=10)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert set(figures["statuses"]) <= {"200", "503"}, figures
    assert figures["statuses"].get("503", 0) > 0, figures
    # Each web host went into maintenance, was reloaded, and came out.
    assert all(recap[web]["changed"] >= 3 for web in ("web-01", "web-02")), recap
    states = {state["id"]: state["name"] for state in requester(host)("/api/v1/states").json()}
    missing = [w for w in before["acknowledged"] if states.get(w[0]) != w[1]]
    assert not missing, missing[:5]
