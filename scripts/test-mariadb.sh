#!/usr/bin/env bash
# Starts (or reuses) a private MariaDB server for the app's tests and creates the test database.
#
# The server is the distribution's mariadbd running on its own data directory,
# socket and port (127.0.0.1:3307 by default), so it never touches a MariaDB
# the machine may already run.  Idempotent: a second call finds it answering
# and only makes sure the test database and user exist.
#   scripts/test-mariadb.sh start   start it if needed (default)
#   scripts/test-mariadb.sh stop    stop it
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
datadir=${HBNB_TEST_DB_DIR:-$root/.cache/test-mariadb}
port=${HBNB_TEST_DB_PORT:-3307}
socket=$datadir/mysqld.sock
db=${HBNB_TEST_DB_NAME:-hbnb_test_db}
user=${HBNB_TEST_DB_USER:-hbnb_test}
password=${HBNB_TEST_DB_PWD:-hbnb_test_pwd}

client() { mariadb --no-defaults --protocol=socket --socket="$socket" -uroot; }
answering() { mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; }

install_packages() {
  if { command -v mariadbd || [ -x /usr/sbin/mariadbd ]; } >/dev/null 2>&1 \
      && command -v mariadb-admin >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "MariaDB is not installed: run 'sudo apt-get install mariadb-server-core mariadb-client' first" >&2
    exit 1
  fi
  echo "Installing MariaDB (server core and client) from apt..."
  # The core package ships the server binary without starting a system service.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server-core mariadb-client >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server-core mariadb-client >/dev/null; }
}

start() {
  install_packages
  export PATH=$PATH:/usr/sbin
  mkdir -p "$datadir"
  local as_user=()
  [ "$(id -u)" -eq 0 ] && as_user=(--user=root)
  if ! answering; then
    if [ ! -d "$datadir/mysql" ]; then
      echo "Initialising a test MariaDB in $datadir..."
      mariadb-install-db --no-defaults "${as_user[@]}" --datadir="$datadir" \
        --auth-root-authentication-method=socket >"$datadir/install.log" 2>&1 \
        || { cat "$datadir/install.log" >&2; exit 1; }
    fi
    echo "Starting the test MariaDB on 127.0.0.1:$port..."
    setsid nohup mariadbd --no-defaults "${as_user[@]}" --datadir="$datadir" \
      --socket="$socket" --port="$port" --bind-address=127.0.0.1 \
      --pid-file="$datadir/mariadbd.pid" --log-error="$datadir/error.log" \
      --skip-name-resolve --innodb-buffer-pool-size=64M --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 60); do answering && break; sleep 0.5; done
    answering || { echo "the test MariaDB did not start; see $datadir/error.log" >&2; tail -20 "$datadir/error.log" >&2; exit 1; }
  fi
  client <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$user'@'localhost';
FLUSH PRIVILEGES;
SQL
  echo "Test MariaDB ready: 127.0.0.1:$port, database $db, user $user."
}

stop() {
  answering || return 0
  mariadb-admin --no-defaults --socket="$socket" -uroot shutdown
  echo "Test MariaDB stopped."
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
