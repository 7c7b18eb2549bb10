#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (molecule/{default,clone}/tests/test_browser.py),
# with Debian's jQuery (libjs-jquery), which the clone test serves in place of the CDN the clone's page loads it from,
# and NSS's certutil (libnss3-tools), with which the tests make chromium trust the site's lab CA:
# does nothing if all three are there, else installs them with apt-get.
set -euo pipefail

# Usage: scripts/ensure-chromium.sh
#
# Idempotent. The browser test drives this chromium through the Python playwright
# package (executable_path); playwright's own browser builds are never downloaded
# (`playwright install` needs a host that is not reachable here).
#
# apt-get update runs only when apt knows no chromium to install (empty or stale
# package lists, as on a fresh machine), or when an install from the current lists
# fails (a .deb that has left the mirror since the last update).

CHROMIUM=/usr/bin/chromium
JQUERY=/usr/share/javascript/jquery/jquery.min.js
CERTUTIL=/usr/bin/certutil

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

apt_get() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 "$@"
}

# True if the package lists offer a chromium candidate.
apt_knows_chromium() {
    local candidate
    candidate="$(apt-cache policy chromium 2>/dev/null | awk '/Candidate:/ { print $2 }')"
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

install_chromium() {
    apt_get install -y --no-install-recommends chromium libjs-jquery libnss3-tools
}

if [ -x "$CHROMIUM" ] && [ -f "$JQUERY" ] && [ -x "$CERTUTIL" ]; then
    log "$CHROMIUM, $JQUERY and $CERTUTIL are already installed; nothing to do."
    exit 0
fi

command -v apt-get >/dev/null 2>&1 \
    || die "no $CHROMIUM and no apt-get: install Chromium yourself, then re-run"

if ! apt_knows_chromium; then
    log "apt knows no chromium package yet: apt-get update"
    apt_get update
fi
log "installing Debian's chromium with apt-get"
if ! install_chromium; then
    log "install failed; refreshing the package lists and trying once more"
    apt_get update
    install_chromium
fi

[ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is missing"
[ -f "$JQUERY" ] || die "libjs-jquery was installed but $JQUERY is missing"
[ -x "$CERTUTIL" ] || die "libnss3-tools was installed but $CERTUTIL is missing"
log "installed: $("$CHROMIUM" --version 2>/dev/null || echo '?')"
