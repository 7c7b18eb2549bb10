#!/usr/bin/env bash
# The collection as Galaxy users get it: build the tarball, install it into an
# empty collections path, and use it from a directory outside the repository
# with FQCN role names only (no roles_path, no ansible.cfg of this project).
#   scripts/test-collection.sh          (make test-collection)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
roles=(nginx gunicorn airbnb_app mariadb haproxy)

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
for unwanted in .venv .git molecule app/tests .credentials; do
  if [ -e "$installed/$unwanted" ]; then
    echo "test-collection: $unwanted must not be in the collection" >&2
    exit 1
  fi
done
test -f "$installed/app/api/v1/app.py"   # airbnb_app deploys the app shipped inside
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
      loop: [gunicorn, nginx, mariadb, haproxy]
      loop_control:
        loop_var: outside_role
PLAYBOOK
ansible-playbook -i localhost, playbook.yml >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
grep -E "^localhost +:" "$work/run.log"
echo "test-collection: passed"
