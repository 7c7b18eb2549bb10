"""The backup role on the mariadb role's server, on Debian 13 (MariaDB
11.8; the stack scenarios run 10.11): a backup holds the rows, the drill
proves it in a scratch server, a point-in-time restore undoes a DELETE, and
the "file" method backs up and restores a data file."""
import json
import time

testinfra_hosts = ["ansible://mariadb-deb13"]


def sql(host, query, database=None):
    if database:
        return host.check_output("mariadb -N -B --database=%s -e %s", database, query)
    return host.check_output("mariadb -N -B -e %s", query)


def test_the_binary_log_is_on_in_row_format(host):
    assert sql(host, "SELECT @@log_bin, @@binlog_format, @@sync_binlog") == "1\tROW\t1"
    for timer in ("hbnb-backup.timer", "hbnb-backup-binlogs.timer", "hbnb-backup-drill.timer"):
        assert host.service(timer).is_enabled and host.service(timer).is_running, timer


def test_backup_drill_and_point_in_time_restore(host):
    sql(host, "CREATE DATABASE IF NOT EXISTS shop")
    sql(host, "CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY, name VARCHAR(40), note TEXT)", "shop")
    sql(host, "REPLACE INTO items VALUES (1, 'kept', 'it''s (quoted), with\\nlines'), "
        "(2, 'kept too', NULL)", "shop")
    assert host.run("systemctl start hbnb-backup.service").rc == 0
    backups = json.loads(host.check_output("hbnb-backup list --json"))
    manifest = json.loads(host.file("/var/backups/hbnb/full/{}/manifest.json".format(backups[-1]["name"]))
                          .content_string)
    assert manifest["databases"]["shop"]["tables"]["items"]["rows"] == 2
    assert manifest["position"]["binlog_file"] and manifest["position"]["gtid"]
    assert host.run("systemctl start hbnb-backup-drill.service").rc == 0
    drill = json.loads(host.file("/var/lib/hbnb-backup/drill.json").content_string)
    assert drill["result"] == "passed" and drill["rows"] >= 2, drill

    # A row after the backup (binary log only), then a destructive statement.
    sql(host, "INSERT INTO items VALUES (3, 'after the backup', 'é ✓')", "shop")
    time.sleep(1.5)
    moment = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    time.sleep(1.5)
    sql(host, "DELETE FROM items", "shop")
    restore = host.run("hbnb-backup restore latest --to %s", moment)
    assert restore.rc == 0, restore.stderr
    assert sql(host, "SELECT id, name, note FROM items ORDER BY id", "shop").splitlines() == [
        "1\tkept\tit's (quoted), with\\nlines", "2\tkept too\tNULL", "3\tafter the backup\té ✓"]
    assert "shop__restore" not in sql(host, "SHOW DATABASES")


def test_the_file_method_backs_up_and_restores_a_data_file(host):
    """What site.yml will use for the FileStorage engine's JSON file: the
    command with settings of its own."""
    config = {"method": "file", "file_path": "/var/lib/demo/file.json", "backup_dir": "/var/backups/demo",
              "keep_daily": 2, "keep_weekly": 1, "compression_level": 3, "state_dir": "/var/lib/demo-state"}
    host.check_output("mkdir -p /var/lib/demo /var/lib/demo-state && echo %s > /etc/demo-backup.json",
                      json.dumps(config))
    original = json.dumps({"State.1": {"id": "1", "name": "California"}})
    host.check_output("echo %s > /var/lib/demo/file.json", original)
    env = "HBNB_BACKUP_CONFIG=/etc/demo-backup.json"
    assert host.run(env + " hbnb-backup run").rc == 0
    assert host.run(env + " hbnb-backup drill").rc == 0
    host.check_output("echo '{}' > /var/lib/demo/file.json")
    restore = host.run(env + " hbnb-backup restore latest")
    assert restore.rc == 0, restore.stderr
    assert json.loads(host.file("/var/lib/demo/file.json").content_string) == json.loads(original)
    # A point in time needs a server's binary log: refused, nothing changed.
    refused = host.run(env + " hbnb-backup restore latest --to '2030-01-01 00:00:00'")
    assert refused.rc == 2 and "restore_to: a point in time needs the binary logs" in refused.stderr
