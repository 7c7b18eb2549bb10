"""The mariadb role alone: a running utf8mb4 server, listening only where
it is told (the primary on its address, the replica on loopback)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))
from stacktest import tcp_listeners  # noqa: E402  (shared with the stack scenarios)


def sql(host, query):
    return host.check_output("mariadb -N -B -e %s", query)


def test_server_running_and_enabled(host):
    service = host.service("mariadb")
    assert service.is_running and service.is_enabled


def test_listens_only_where_told(host):
    # Every address: the wildcards, the container's own, ::1.
    if host.backend.get_hostname() == "mariadb-deb13":
        facts = host.ansible("setup", "gather_subset=network")["ansible_facts"]
        told = facts["ansible_default_ipv4"]["address"]
    else:
        told = "127.0.0.1"
    assert tcp_listeners(host).get(3306) == {told}


def test_root_uses_the_unix_socket(host):
    assert sql(host, "SELECT CURRENT_USER()") == "root@localhost"


def test_character_set_and_extra_settings(host):
    assert sql(host, "SELECT @@character_set_server, @@collation_server") == \
        "utf8mb4\tutf8mb4_unicode_ci"
    assert sql(host, "SELECT @@slow_query_log") == "1"


def test_pymysql_for_ansible_modules(host):
    host.check_output("python3 -c 'import pymysql'")
