#!/usr/bin/env bash
# The collection as Galaxy users get it: build the tarball, install it into an
# empty collections path, and use it from a directory outside the repository
# with FQCN role names only (no roles_path, no ansible.cfg of this project):
# ansible-doc, variable checks, and the collection's own site playbook
# (hbnb.appserver.site) run twice against a systemd container.
#   scripts/test-collection.sh          (make test-collection)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
roles=(nginx gunicorn airbnb_app mariadb backup haproxy tls_certificate firewall)

cd "$repo"
ansible-galaxy collection build --force --output-path "$work/dist" >/dev/null
tarball=$(ls "$work"/dist/hbnb-appserver-*.tar.gz)
echo "test-collection: built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

# Only the installed collection: nothing of the repository is on any path.
mkdir -p "$work/outside"
cd "$work/outside"
: >ansible.cfg
export ANSIBLE_CONFIG="$work/outside/ansible.cfg" ANSIBLE_ROLES_PATH="$work/no-roles" \
  ANSIBLE_COLLECTIONS_PATH="$work/collections"
ansible-galaxy collection install --offline --no-deps -p "$work/collections" "$tarball" >/dev/null
installed="$work/collections/ansible_collections/hbnb/appserver"
test -f "$installed/MANIFEST.json"
for unwanted in .venv .git molecule app/tests .credentials Makefile scripts .ci ruff.toml .yamllint \
  .ansible-lint requirements.txt site.yml ansible.cfg inventory docs playbooks/lab_up.yml; do
  if [ -e "$installed/$unwanted" ]; then
    echo "test-collection: $unwanted must not be in the collection" >&2
    exit 1
  fi
done
test -f "$installed/app/api/v1/app.py"   # airbnb_app deploys the app shipped inside
test -f "$installed/playbooks/site.yml" && test -f "$installed/playbooks/group_vars/all.yml" && test -f "$installed/app/requirements.txt"
echo "test-collection: installed into an empty collections path"

# ansible-doc shows each role's documented options.
for role in "${roles[@]}"; do
  doc=$(ansible-doc -t role "hbnb.appserver.$role")
  grep -q "ENTRY POINT: .*main" <<<"$doc"
  options=$(grep -cE "^ +${role}_[a-z0-9_]+" <<<"$doc" || true)
  if [ "$options" -lt 3 ]; then
    echo "test-collection: ansible-doc shows no options for hbnb.appserver.$role" >&2
    exit 1
  fi
  echo "test-collection: ansible-doc -t role hbnb.appserver.$role: $options options"
done

# A playbook outside the repository resolves every role by FQCN and checks
# the variables through each role's validate entry point, on localhost,
# without changing anything.
cat >"$work/outside/playbook.yml" <<'PLAYBOOK'
- name: Use the installed collection by FQCN
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    airbnb_app_db_password: "an-example-password-0123"
    gunicorn_instances: "{{ airbnb_app_gunicorn_instances }}"
    nginx_sites: "{{ airbnb_app_nginx_sites }}"
    tls_certificate_names: [www.example.org]
  tasks:
    - name: Check the application's settings
      ansible.builtin.include_role:
        name: hbnb.appserver.airbnb_app
        tasks_from: validate
        public: true
    - name: Check the other roles' settings
      ansible.builtin.include_role:
        name: "hbnb.appserver.{{ outside_role }}"
        tasks_from: validate
      loop: [gunicorn, nginx, mariadb, backup, haproxy, tls_certificate, firewall]
      loop_control:
        loop_var: outside_role
PLAYBOOK
ansible-playbook -i localhost, playbook.yml >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
grep -E "^localhost +:" "$work/run.log"
echo "test-collection: every role's variables checked by FQCN"

# One wrong value per role, through the installed collection: each must stop
# the run in that role's checks, with a message that names the variable.
bad_values=(
  "airbnb_app airbnb_app_keep_releases=1"
  "gunicorn gunicorn_default_workers=many"
  "nginx nginx_worker_connections=lots"
  "mariadb mariadb_port=db"
  "backup backup_keep_daily=0"
  "haproxy haproxy_port=web"
  "tls_certificate tls_certificate_source=bogus"
  "firewall firewall_state=maybe"
)
for case in "${bad_values[@]}"; do
  role=${case%% *} setting=${case#* }
  variable=${setting%%=*}
  if ansible-playbook -i localhost, playbook.yml -e "$setting" >"$work/bad.log" 2>&1; then
    echo "test-collection: $setting was accepted by hbnb.appserver.$role" >&2
    exit 1
  fi
  # sed reads to the end: head would leave grep writing into a closed pipe (SIGPIPE, exit 141).
  failed_task=$(grep -E "^(TASK|fatal)" "$work/bad.log" | grep -B1 "^fatal" | sed -n 1p)
  if ! grep -q "hbnb.appserver.$role\|$role :" <<<"$failed_task" || ! grep -q "$variable" "$work/bad.log"; then
    echo "test-collection: $setting did not stop in $role's checks with a message naming $variable:" >&2
    tail -30 "$work/bad.log" >&2
    exit 1
  fi
  echo "test-collection: $setting stopped by hbnb.appserver.$role ($failed_task)"
done

# A real host: a systemd container of the test image.
host=hbnb-collection-test
docker rm -f "$host" >/dev/null 2>&1 || true
trap 'docker rm -f "$host" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$repo/.cache/apt/$host" "$repo/.cache/pip"
docker run -d --name "$host" --hostname "$host" --cap-add SYS_ADMIN --cap-add NET_ADMIN --cgroupns host \
  --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
  -v "$repo/.cache/apt/$host:/var/cache/apt/archives:rw" -v "$repo/.cache/pip:/root/.cache/pip:rw" \
  appserver-test/debian:12 /lib/systemd/systemd >/dev/null
for _ in $(seq 60); do
  state=$(docker exec "$host" systemctl is-system-running 2>/dev/null || true)
  case "$state" in running|degraded) break ;; esac
  sleep 1
done
# The whole site, as a user who only installed the collection runs it: the
# collection's own playbook, hbnb.appserver.site, against an inventory that
# lives outside the repository (the container is a web and a db host).
mkdir -p "$work/outside/inventory/group_vars"
printf '[web]\n%s ansible_connection=community.docker.docker\n[db]\n%s ansible_connection=community.docker.docker\n' \
  "$host" "$host" >"$work/outside/inventory/hosts"
printf -- '---\nairbnb_app_sample_data: true\n' >"$work/outside/inventory/group_vars/all.yml"
for run in first second; do
  ansible-playbook -i "$work/outside/inventory/hosts" hbnb.appserver.site >"$work/$run.log" 2>&1 \
    || { tail -60 "$work/$run.log" >&2; exit 1; }
  recap=$(grep -E "^$host +:" "$work/$run.log")
  echo "test-collection: ansible-playbook hbnb.appserver.site, $run run: $recap"
done
if ! grep -qE "changed=0 " <<<"$recap"; then
  echo "test-collection: the second run of hbnb.appserver.site changed something" >&2
  exit 1
fi
# The generated database password is kept next to the user's inventory, not
# inside the installed collection.
test -s "$work/outside/inventory/.credentials/inventory-"*/airbnb_db_password
if [ -e "$installed/.credentials" ] || [ -e "$installed/playbooks/.credentials" ]; then
  echo "test-collection: a secret was written into the installed collection" >&2
  exit 1
fi
# HTTPS is on by default: port 80 redirects, the site answers on 443 with the
# host's self-signed certificate, which covers the host's name.
answer=$(docker exec "$host" python3 -c '
import http.client, json, socket, ssl
plain = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
plain.request("GET", "/api/v1/states?x=1")
moved = plain.getresponse()
context = ssl.create_default_context(cafile="/etc/ssl/tls_certificate/airbnb/ca.pem")
def get(path):
    conn = http.client.HTTPSConnection("127.0.0.1", 443, timeout=10, context=context)
    conn._tunnel_host = None
    conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", 443), timeout=10),
                                    server_hostname=socket.gethostname())
    conn.request("GET", path, headers={"Host": socket.gethostname()})
    return conn.getresponse()
print(moved.status, moved.getheader("Location").split("/", 3)[3], get("/airbnb-onepage/").read().decode(),
      len(json.load(get("/api/v1/states"))), get("/").status)')
echo "test-collection: through Nginx: $answer"
test "$answer" = "301 api/v1/states?x=1 Hello HBNB! 12 200"
docker exec "$host" grep -qx HBNB_TYPE_STORAGE=db /etc/airbnb/app.env   # on MariaDB, as site.yml deploys
# Backups through the collection's playbooks: one taken, proven by the
# drill, and restored by hbnb.appserver.restore with the site in maintenance.
docker exec "$host" systemctl start hbnb-backup.service
docker exec "$host" systemctl start hbnb-backup-drill.service
docker exec "$host" python3 -c 'import json; s = json.load(open("/var/lib/hbnb-backup/drill.json")); assert s["result"] == "passed" and s["rows"] > 0, s'
ansible-playbook -i "$work/outside/inventory/hosts" hbnb.appserver.restore >"$work/restore.log" 2>&1 \
  || { tail -60 "$work/restore.log" >&2; exit 1; }
restored=$(docker exec "$host" hbnb-backup list | grep -c -- "-post-restore")
test "$restored" = 1 && ! docker exec "$host" test -e /srv/airbnb/maintenance/on
echo "test-collection: backup, drill and hbnb.appserver.restore: $(grep -E "^$host +:" "$work/restore.log")"
echo "test-collection: passed"
