#!/usr/bin/env bash
# Builds the systemd-capable Debian test images (appserver-test/debian:<12|13>) offline with debootstrap + docker import, rebuilding only when their inputs change.
set -euo pipefail

# Usage: scripts/build-test-image.sh [RELEASE...]      RELEASE: 12, 13, bookworm, trixie
#                                                      (default: 12 13)
#
# For each release:
#   1. base image appserver-test/debian-base:<N>: `debootstrap --variant=minbase` from the
#      host's own apt mirror into a temp dir, `docker import`ed, temp dir removed;
#   2. test image appserver-test/debian:<N>: molecule/_image/Dockerfile on top of it (host CA
#      certificates, /etc/pip.conf, apt sources with -updates and -security, masked units),
#      built with --pull=false so no registry is ever contacted.
# Each image carries a label with the hash of its inputs; an image whose label matches
# is kept as it is, so a second run is a quick no-op.
#
# Environment:
#   APT_MIRROR           Debian archive URI (default: read from the host's apt sources)
#   APT_SECURITY_MIRROR  Debian security URI (default: from the host's apt sources, else
#                        APT_MIRROR with /debian replaced by /debian-security)
#   FORCE=1              rebuild both images even if their inputs did not change
#   IMAGE_REPO           image name prefix (default appserver-test)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
SCRIPT_PATH="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
IMAGE_DIR="$REPO_ROOT/molecule/_image"
IMAGE_REPO="${IMAGE_REPO:-appserver-test}"
HOST_CA_DIR=/usr/local/share/ca-certificates
FORCE="${FORCE:-0}"
LABEL_KEY=org.appserver-test.input-hash

# What a fresh minimal server has: systemd as init, Python 3 for Ansible, sudo for
# `become`, CA certificates, `ip`, `ps`. Nothing a role installs itself (nginx, mariadb,
# python3-venv, python3-packaging, curl, netbase, ...) may be added here.
BASE_PACKAGES="systemd,systemd-sysv,dbus,python3,ca-certificates,iproute2,sudo,procps"

# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

codename_of() {
    case "$1" in
        12 | bookworm) echo bookworm ;;
        13 | trixie) echo trixie ;;
        *) die "unknown release '$1' (expected 12, 13, bookworm or trixie)" ;;
    esac
}

version_of() {
    case "$1" in
        bookworm) echo 12 ;;
        trixie) echo 13 ;;
    esac
}

# Print "URI SUITE..." for every enabled `deb` source of the host, one line each, from the
# one-line format (/etc/apt/sources.list, *.list) and deb822 (*.sources).
host_apt_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [opts] URI SUITE COMPONENT...
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            function flush() {
                if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no")
                    for (i = 1; i <= nu; i++) print uris[i], suites
                types = ""; suites = ""; enabled = ""; nu = 0
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            {
                key = tolower($1); sub(/:$/, "", key)
                val = $0; sub(/^[^:]*:[ \t]*/, "", val)
                if (key == "types") types = val
                else if (key == "suites") suites = val
                else if (key == "enabled") enabled = val
                else if (key == "uris") nu = split(val, uris, /[ \t]+/)
            }
            END { flush() }
        ' "$f"
    done
}

# The Debian archive: the first source whose suites include a Debian release codename or
# alias. The security archive: the first source with a "<codename>-security" suite.
detect_mirrors() {
    local sources
    sources="$(host_apt_sources)"
    if [ -z "${APT_MIRROR:-}" ]; then
        APT_MIRROR="$(awk '{
            for (i = 2; i <= NF; i++)
                if ($i ~ /^(bullseye|bookworm|trixie|forky|duke|sid|oldstable|stable|testing|unstable)(-updates)?$/) { print $1; exit }
        }' <<<"$sources")"
    fi
    [ -n "${APT_MIRROR:-}" ] \
        || die "no Debian archive found in the host's apt sources; set APT_MIRROR=<Debian mirror URI, e.g. http://<mirror>/debian>"
    if [ -z "${APT_SECURITY_MIRROR:-}" ]; then
        APT_SECURITY_MIRROR="$(awk '{
            for (i = 2; i <= NF; i++) if ($i ~ /-security$/) { print $1; exit }
        }' <<<"$sources")"
    fi
    if [ -z "${APT_SECURITY_MIRROR:-}" ]; then
        APT_SECURITY_MIRROR="${APT_MIRROR%/}"
        APT_SECURITY_MIRROR="${APT_SECURITY_MIRROR%/debian}/debian-security"
    fi
    APT_MIRROR="${APT_MIRROR%/}"
    APT_SECURITY_MIRROR="${APT_SECURITY_MIRROR%/}"
}

image_label() { # image label-key -> label value, empty if no such image
    docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

image_id() {
    docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true
}

# Hash of the host's extra CA certificates (names and contents), which go into the image.
certs_digest() {
    if [ -d "$HOST_CA_DIR" ]; then
        (cd "$HOST_CA_DIR" && find . -type f -name '*.crt' -print0 | LC_ALL=C sort -z \
            | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
    else
        echo none
    fi
}

ensure_debootstrap() {
    local codename="$1" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    if ! command -v debootstrap >/dev/null 2>&1 || [ ! -f "$keyring" ]; then
        log "installing debootstrap and debian-archive-keyring with apt-get"
        apt_install debootstrap debian-archive-keyring
    fi
    # Bookworm's keyring knows trixie's archive keys only from 2023.3+deb12u2 on (in
    # bookworm-updates / point releases): upgrade it if the release's key is missing.
    if [ "$codename" = trixie ] && ! grep -aq '(13/trixie)' "$keyring"; then
        log "debian-archive-keyring lacks the trixie keys: upgrading it"
        apt_install debian-archive-keyring
        grep -aq '(13/trixie)' "$keyring" \
            || die "$keyring has no trixie archive key even after upgrading debian-archive-keyring"
    fi
}

# debootstrap a minbase rootfs and import it as $IMAGE_REPO/debian-base:<version>.
build_base() {
    local codename="$1" tag="$2" hash="$3" tmp script=""
    ensure_debootstrap "$codename"
    tmp="$(mktemp -d /var/tmp/appserver-test-rootfs.XXXXXX)"
    # shellcheck disable=SC2064 # expand $tmp now: the trap must remove this very dir
    trap "rm -rf '$tmp'" EXIT
    # An older debootstrap may have no script named after a newer release: Debian's all
    # point at "sid", so fall back to it.
    [ -e "/usr/share/debootstrap/scripts/$codename" ] || script=/usr/share/debootstrap/scripts/sid
    log "debootstrap $codename from $APT_MIRROR into $tmp (log: $tmp.debootstrap.log)"
    if ! as_root debootstrap --variant=minbase --include="$BASE_PACKAGES" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        "$codename" "$tmp/rootfs" "$APT_MIRROR" ${script:+"$script"} \
        >"$tmp.debootstrap.log" 2>&1; then
        tail -n 30 "$tmp.debootstrap.log" >&2
        [ ! -f "$tmp/rootfs/debootstrap/debootstrap.log" ] \
            || tail -n 30 "$tmp/rootfs/debootstrap/debootstrap.log" >&2
        rm -f "$tmp.debootstrap.log"
        die "debootstrap $codename failed"
    fi
    rm -f "$tmp.debootstrap.log"
    # Leave nothing of the host and no caches in the image: Docker provides hostname,
    # hosts and resolv.conf; systemd creates a machine id at first boot.
    as_root rm -rf "$tmp/rootfs/var/lib/apt/lists/"* "$tmp/rootfs/var/cache/apt/"*.bin \
        "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/log/"*.log \
        "$tmp/rootfs/etc/hostname" "$tmp/rootfs/etc/resolv.conf" \
        "$tmp/rootfs/var/lib/dbus/machine-id"
    as_root truncate -s 0 "$tmp/rootfs/etc/machine-id"
    log "importing rootfs as $tag"
    as_root tar -C "$tmp/rootfs" --numeric-owner \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
        | docker import --change "LABEL $LABEL_KEY=$hash" \
            --change 'CMD ["/lib/systemd/systemd"]' - "$tag" >/dev/null
    as_root rm -rf "$tmp"
    trap - EXIT
}

build_release() {
    local codename="$1" version base_tag tag base_hash final_hash old_id old_base_id ctx start
    local no_cache=""
    [ "$FORCE" != 1 ] || no_cache=--no-cache
    version="$(version_of "$codename")"
    base_tag="$IMAGE_REPO/debian-base:$version"
    tag="$IMAGE_REPO/debian:$version"
    start=$SECONDS

    # Inputs of the base image: release, mirror, package list and the code that builds it
    # (`declare -f` prints the functions' text, so editing them triggers a rebuild).
    base_hash="$(printf '%s\n' base-v1 "$codename" "$APT_MIRROR" "$BASE_PACKAGES" \
        "$(declare -f build_base ensure_debootstrap)" | sha256sum | cut -d' ' -f1)"
    # Inputs of the test image: the base's, this script, the Dockerfile, both mirrors and
    # the certificates copied in.
    final_hash="$(printf '%s\n' "$base_hash" "$APT_SECURITY_MIRROR" "$(certs_digest)" \
        "$(sha256sum <"$SCRIPT_PATH")" "$(sha256sum <"$IMAGE_DIR/Dockerfile")" \
        | sha256sum | cut -d' ' -f1)"

    if [ "$FORCE" != 1 ] && [ "$(image_label "$tag" "$LABEL_KEY")" = "$final_hash" ]; then
        log "$tag is up to date (inputs ${final_hash:0:12}); nothing to do"
        return 0
    fi

    # Replaced images are removed at the end: the old test image first, then the old base
    # it was built on (Docker refuses to remove an image that still has children).
    old_base_id="$(image_id "$base_tag")"
    old_id="$(image_id "$tag")"
    if [ "$FORCE" != 1 ] && [ "$(image_label "$base_tag" "$LABEL_KEY")" = "$base_hash" ]; then
        log "$base_tag is up to date (inputs ${base_hash:0:12})"
    else
        build_base "$codename" "$base_tag" "$base_hash"
        log "built $base_tag in $((SECONDS - start))s"
    fi

    # Build context in a temp dir: the Dockerfile plus the host's CA certificates, which
    # must never land in the repository.
    ctx="$(mktemp -d /var/tmp/appserver-test-ctx.XXXXXX)"
    # shellcheck disable=SC2064
    trap "rm -rf '$ctx'" EXIT
    cp "$IMAGE_DIR/Dockerfile" "$ctx/Dockerfile"
    mkdir "$ctx/certs"
    if [ -d "$HOST_CA_DIR" ]; then
        (cd "$HOST_CA_DIR" && find . -type f -name '*.crt' -exec cp --parents {} "$ctx/certs/" \;)
    fi
    log "building $tag (docker build, no pull)"
    # The classic builder resolves FROM in the local image store and never pulls with
    # --pull=false; BuildKit with a non-default builder (docker-container driver) cannot
    # see local images at all, hence DOCKER_BUILDKIT=0.
    if ! DOCKER_BUILDKIT=0 docker build --pull=false --quiet ${no_cache:+"$no_cache"} \
        --build-arg "BASE_IMAGE=$base_tag" \
        --build-arg "DEBIAN_CODENAME=$codename" \
        --build-arg "APT_MIRROR=$APT_MIRROR" \
        --build-arg "APT_SECURITY_MIRROR=$APT_SECURITY_MIRROR" \
        --label "$LABEL_KEY=$final_hash" \
        -t "$tag" "$ctx" >"$ctx.build.log" 2>&1; then
        cat "$ctx.build.log" >&2
        rm -f "$ctx.build.log"
        die "docker build of $tag failed"
    fi
    rm -rf "$ctx" "$ctx.build.log"
    trap - EXIT
    local id
    for id in "$old_id" "$old_base_id"; do
        [ -z "$id" ] || [ "$id" = "$(image_id "$tag")" ] || [ "$id" = "$(image_id "$base_tag")" ] \
            || docker image rm "$id" >/dev/null 2>&1 || true
    done
    log "built $tag in $((SECONDS - start))s ($(docker image inspect --format '{{.Size}}' "$tag" \
        | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
}

main() {
    local releases=("$@") r codename
    [ "${#releases[@]}" -gt 0 ] || releases=(12 13)
    for r in "${releases[@]}"; do codename_of "$r" >/dev/null; done

    "$SCRIPT_DIR/ensure-docker.sh"
    detect_mirrors
    log "apt mirror: $APT_MIRROR  security: $APT_SECURITY_MIRROR"

    # Two concurrent runs (e.g. parallel CI jobs) would build the same image twice.
    exec 9>"/var/tmp/appserver-test-image.$(id -u).lock"
    flock 9

    for r in "${releases[@]}"; do
        codename="$(codename_of "$r")"
        build_release "$codename"
    done
}

main "$@"
