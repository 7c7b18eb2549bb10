# shellcheck shell=bash
# Sourced by the scripts in scripts/: messages prefixed with the script's name,
# and running a command as root (directly, or through sudo).

log() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}
