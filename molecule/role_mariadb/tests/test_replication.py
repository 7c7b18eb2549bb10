"""The mariadb role's replication: mariadb-replica-deb13 was seeded from
mariadb-deb13 and follows it by GTID, semi-synchronously and read-only; a
server that joins later is seeded from the live primary under writes; a
server that holds data of its own is not overwritten; a broken replica
fails the converge with the host and the server's error."""
import json
import os
import sys
import time
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))
from stacktest import run_playbook  # noqa: E402  (shared with the stack scenarios)

testinfra_hosts = ["ansible://mariadb-deb13"]
REPLICA = "mariadb-replica-deb13"
CONVERGE = "molecule/role_mariadb/converge.yml"


@pytest.fixture(scope="module")
def replica():
    return testinfra.get_host("ansible://{}?ansible_inventory={}".format(
        REPLICA, os.environ["MOLECULE_INVENTORY_FILE"]))


def sql(server, query):
    return server.check_output("mariadb -N -B -e %s", query)


def unlogged(server, query):
    """A change on this server alone (not in its binary log)."""
    return sql(server, "SET SESSION sql_log_bin = 0; " + query)


def status(server, name):
    return sql(server, "SHOW GLOBAL STATUS LIKE '{}'".format(name)).split("\t")[1]


def caught_up(primary, replica, timeout=30):
    """Wait until the replica has applied every transaction of the primary."""
    position = sql(primary, "SELECT @@gtid_binlog_pos")
    waited = sql(replica, "SELECT MASTER_GTID_WAIT('{}', {})".format(position, timeout))
    assert waited == "0", "the replica did not reach {} in {} s".format(position, timeout)


def checksums(server):
    return sql(server, "CHECKSUM TABLE replicated.notes EXTENDED")


def converge(*args):
    started = time.monotonic()
    result, recap = run_playbook(CONVERGE, *args, timeout=600)
    print("converge {}: rc {}, {:.0f} s, recap {}".format(
        " ".join(args), result.returncode, time.monotonic() - started, json.dumps(recap)))
    return result, recap


def fresh_table(host):
    sql(host, "CREATE DATABASE IF NOT EXISTS replicated; CREATE TABLE IF NOT EXISTS replicated.notes "
        "(id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL UNIQUE) ENGINE=InnoDB")


def test_the_replica_follows_the_primary_semi_synchronously(host, replica):
    fresh_table(host)
    acknowledged = int(status(host, "Rpl_semi_sync_master_yes_tx"))
    unacknowledged = int(status(host, "Rpl_semi_sync_master_no_tx"))
    sql(host, "; ".join("INSERT INTO replicated.notes (note) VALUES ('semi-sync {}')".format(n)
                        for n in range(50)))
    # Every commit waited for the replica's acknowledgement; none went on alone.
    assert status(host, "Rpl_semi_sync_master_status") == "ON"
    assert status(host, "Rpl_semi_sync_master_clients") == "1"
    assert int(status(host, "Rpl_semi_sync_master_yes_tx")) - acknowledged >= 50
    assert int(status(host, "Rpl_semi_sync_master_no_tx")) == unacknowledged
    caught_up(host, replica)
    assert checksums(replica) == checksums(host)
    # test_backup.py's point-in-time restore on the primary, replayed here too.
    restored = "CHECKSUM TABLE shop.items EXTENDED"
    assert sql(replica, restored) == sql(host, restored)
    assert sql(replica, "SELECT @@read_only, @@gtid_strict_mode") == "1\t1"
    assert sql(host, "SELECT @@read_only") == "0"


def test_clients_cannot_write_on_the_replica(host, replica):
    fresh_table(host)
    sql(host, "CREATE USER IF NOT EXISTS writer@localhost IDENTIFIED BY 'writer-password'; "
        "GRANT ALL ON replicated.* TO writer@localhost")
    caught_up(host, replica)
    insert = "mariadb -u writer -pwriter-password -e \"INSERT INTO replicated.notes (note) VALUES ('%s')\""
    assert host.run(insert % "written on the primary").rc == 0
    refused = replica.run(insert % "written on the replica")
    assert refused.rc != 0 and "read-only" in refused.stderr, refused.stderr
    caught_up(host, replica)
    written = sql(replica, "SELECT note FROM replicated.notes WHERE note LIKE 'written on%'")
    assert written == "written on the primary"


def test_the_replication_account_can_only_replicate(host, replica):
    addresses = sql(host, "SELECT Host FROM mysql.user WHERE User = 'replication' ORDER BY Host").split()
    assert len(addresses) == 2
    for server in (host, replica):
        assert sql(server, "SELECT Host FROM mysql.user WHERE User = 'replication' ORDER BY Host").split() \
            == addresses
        for address in addresses:
            assert sql(server, "SHOW GRANTS FOR replication@'{}'".format(address)).startswith(
                "GRANT REPLICATION SLAVE ON *.* TO `replication`@`{}`".format(address))


def writes_in_background(host, count):
    """Inserts on the primary, one a connection; the notes the server
    acknowledged go to /tmp/acknowledged."""
    host.check_output("rm -f /tmp/acknowledged /tmp/writes.done")
    host.check_output(
        "nohup sh -c 'for n in $(seq 1 %s); do mariadb -e \"INSERT INTO replicated.notes (note) "
        "VALUES (\\\"load $n\\\")\" && echo \"load $n\" >> /tmp/acknowledged; sleep 0.05; done; "
        "touch /tmp/writes.done' >/dev/null 2>&1 &", str(count))


def acknowledged_so_far(host):
    answer = host.run("cat /tmp/acknowledged")
    return len(answer.stdout.split("\n")) - 1 if answer.rc == 0 else 0


def acknowledged_after_the_writes(host, timeout=120):
    deadline = time.monotonic() + timeout
    while not host.file("/tmp/writes.done").exists:
        assert time.monotonic() < deadline, "the background writes did not end"
        time.sleep(1)
    return host.file("/tmp/acknowledged").content_string.split("\n")[:-1]


def forget_replication(replica):
    """The replica as a server that never was one, its data gone too."""
    sql(replica, "STOP ALL SLAVES; RESET SLAVE ALL")
    for database in sql(replica, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME "
                        "NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')").split():
        unlogged(replica, "DROP DATABASE `{}`".format(database))


def test_a_new_replica_is_seeded_from_the_live_primary_under_writes(host, replica):
    fresh_table(host)
    forget_replication(replica)
    writes_in_background(host, 400)
    before = acknowledged_so_far(host)
    result, recap = converge()
    during = acknowledged_so_far(host) - before
    acknowledged = acknowledged_after_the_writes(host)
    print("seeded under load: {} writes acknowledged during the converge, {} in all".format(
        during, len(acknowledged)))
    assert result.returncode == 0, result.stdout[-3000:]
    assert recap[REPLICA]["changed"] > 0
    assert during > 0
    caught_up(host, replica)
    on_replica = set(sql(replica, "SELECT note FROM replicated.notes WHERE note LIKE 'load %'").split("\n"))
    missing = [note for note in acknowledged if note not in on_replica]
    assert missing == [] and len(acknowledged) == 400
    assert checksums(replica) == checksums(host)
    assert status(replica, "Slaves_running") == "1"


def test_a_server_with_data_of_its_own_is_not_seeded_over(host, replica):
    fresh_table(host)
    sql(replica, "STOP ALL SLAVES; RESET SLAVE ALL")
    unlogged(replica, "INSERT INTO replicated.notes (note) VALUES ('only on the replica')")
    result, recap = converge()
    assert result.returncode != 0
    # ansible-core 2.19 prints a failed task's message on stderr.
    output = " ".join((result.stdout + result.stderr).split())
    assert "mariadb-replica-deb13 is to become a replica of mariadb-deb13 but holds" in output
    assert "mariadb_replication_reseed" in output
    assert sql(replica, "SELECT COUNT(*) FROM replicated.notes WHERE note = 'only on the replica'") == "1"

    result, recap = converge("-e", "mariadb_replication_reseed=true")
    assert result.returncode == 0, result.stdout[-3000:]
    assert replica.run("ls /var/backups/mariadb-before-seed-*.sql.gz").rc == 0
    caught_up(host, replica)
    assert checksums(replica) == checksums(host)


def test_a_broken_replica_fails_the_converge_with_its_error(host, replica):
    fresh_table(host)
    sql(host, "INSERT INTO replicated.notes (note) VALUES ('to break the replica')")
    row = sql(host, "SELECT id FROM replicated.notes WHERE note = 'to break the replica'")
    caught_up(host, replica)
    # The row gone from the replica alone: the primary's DELETE cannot apply there.
    unlogged(replica, "DELETE FROM replicated.notes WHERE note = 'to break the replica'")
    sql(host, "DELETE FROM replicated.notes WHERE note = 'to break the replica'")
    result, recap = converge()
    assert result.returncode != 0
    # ansible-core 2.19 prints a failed task's message on stderr.
    output = " ".join((result.stdout + result.stderr).split())
    assert "Replica mariadb-replica-deb13 of mariadb-deb13 is broken" in output, result.stdout[-3000:]
    # The server's own error: the event it could not apply, on which table.
    assert "SQL thread No" in output and "replicated.notes" in output, result.stdout[-3000:]

    # Repaired by hand (the row back, unlogged), the next converge passes and changes nothing.
    unlogged(replica, "INSERT INTO replicated.notes VALUES ({}, 'to break the replica')".format(row))
    sql(replica, "START SLAVE")
    result, recap = converge()
    assert result.returncode == 0, result.stdout[-3000:]
    assert all(counts["changed"] == 0 for counts in recap.values()), recap
