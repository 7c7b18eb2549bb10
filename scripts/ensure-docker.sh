#!/usr/bin/env bash
# Makes sure a Docker engine answers `docker info`: does nothing if one already does, else installs Debian's docker.io if needed and starts dockerd in the background.
set -euo pipefail

# Usage: scripts/ensure-docker.sh
#
# Idempotent. On a machine where Docker already runs (a laptop, a CI runner with
# Docker) it only checks `docker info` and exits 0. On a bare Debian machine without
# systemd as PID 1 (the project's sandbox / CI VM) it:
#   1. installs Debian's docker.io (dockerd 20.10, containerd, runc) if dockerd is missing;
#   2. starts dockerd detached (setsid + nohup), logging to $DOCKERD_LOG;
#   3. waits at most $DOCKER_WAIT_SECONDS for `docker info` to answer.
#
# Client/daemon versions: the client found first on PATH may be newer than Debian's
# 20.10 daemon (here /usr/local/bin/docker is 28.x, API 1.50; dockerd 20.10 speaks
# API 1.41). The client negotiates the API version down automatically, which was
# checked with `docker info`, `docker build`, `docker run` and `docker exec`, so no
# DOCKER_API_VERSION is set here. Set it yourself only for a client too old to negotiate.
#
# Environment:
#   DOCKERD_LOG          dockerd's log file        (default /var/log/dockerd-project.log)
#   DOCKER_WAIT_SECONDS  how long to wait for it   (default 60)

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd-project.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

docker_answers() {
    command -v docker >/dev/null 2>&1 || return 1
    timeout 10 docker info >/dev/null 2>&1
}

# True if the process exists and is not a zombie. A killed daemon can linger as a zombie
# when PID 1 does not reap orphans (the case in the sandbox); pgrep and pid files would
# still point at it.
pid_alive() {
    local state
    state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)"
    [ -n "$state" ] && [ "$state" != Z ]
}

# PID of a live dockerd, if any.
live_dockerd_pid() {
    local pid
    for pid in $(pgrep -x dockerd || true); do
        if pid_alive "$pid"; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

wait_for_docker() {
    local deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
    until docker_answers; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "last lines of $DOCKERD_LOG:"
            tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
            die "Docker engine did not answer 'docker info' within ${DOCKER_WAIT_SECONDS}s (if dockerd runs, check that you may use its socket)"
        fi
        sleep 1
    done
}

if docker_answers; then
    log "Docker engine already answers; nothing to do."
    exit 0
fi

# dockerd may be installed but not on a non-root user's PATH.
if ! command -v dockerd >/dev/null 2>&1 && [ ! -x /usr/sbin/dockerd ] && [ ! -x /usr/bin/dockerd ]; then
    log "dockerd not found: installing Debian's docker.io with apt-get"
    command -v apt-get >/dev/null 2>&1 \
        || die "no Docker engine and no apt-get: install Docker yourself, then re-run"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        docker.io iptables ca-certificates
fi

# The docker.io package brings a client in /usr/bin; use it if there is no other one.
command -v docker >/dev/null 2>&1 || PATH="$PATH:/usr/bin"
command -v docker >/dev/null 2>&1 || die "no docker client found after installing docker.io"

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    # A normal host with systemd as init: let systemd own the daemon.
    log "starting docker through systemd"
    as_root systemctl start docker.service
elif pid="$(live_dockerd_pid)"; then
    # Started by an earlier run (or by someone else) and still coming up: just wait.
    log "dockerd is already running (pid $pid); waiting for it"
else
    dockerd_bin="$(command -v dockerd 2>/dev/null || true)"
    [ -n "$dockerd_bin" ] || for c in /usr/sbin/dockerd /usr/bin/dockerd; do
        if [ -x "$c" ]; then dockerd_bin="$c"; break; fi
    done
    log "starting $dockerd_bin in the background (log: $DOCKERD_LOG)"
    # setsid + nohup: the daemon survives the end of this shell and of the CI step.
    # Stale pid files left by a killed daemon: dockerd refuses to start over its own, and
    # waits forever for "its" containerd if that pid is a zombie ("containerd is still
    # running") — so drop both unless they name a live process.
    as_root rm -f /var/run/docker.pid
    cpidfile=/var/run/docker/containerd/containerd.pid
    if cpid="$(as_root cat "$cpidfile" 2>/dev/null)" && ! pid_alive "$cpid"; then
        as_root rm -f "$cpidfile"
    fi
    # shellcheck disable=SC2016 # $1/$2 are expanded by the inner sh, on purpose
    as_root sh -c 'setsid nohup "$1" >>"$2" 2>&1 </dev/null &' sh "$dockerd_bin" "$DOCKERD_LOG"
fi

wait_for_docker
log "Docker engine is up: server $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo '?')"
