#!/usr/bin/env bash
# Idempotent provisioning of a local Docker engine and the container images the tests need, on a
# Debian 12 (bookworm) machine that can reach the Debian mirror but no container registry.
#
#   1. Docker engine with API >= 1.44 (Testcontainers 4.x): Debian trixie's docker.io on bookworm,
#      dockerd started in the background (log: /var/log/dockerd.log).
#   2. pgvector/pgvector:pg17 (also tagged jobs-pgvector:pg17), built locally from a debootstrapped
#      trixie rootfs with postgresql-17 + postgresql-17-pgvector and docker/pgvector/.
#   3. jobs-runtime-deps:trixie: a trixie rootfs with the native libraries .NET needs, the base for
#      job containers built in CI.
#
# Run as root. Safe to re-run: finished steps are skipped (a second run takes seconds); debootstrap
# rootfs tarballs are cached under /var/cache/jobs-images. Status lines go to stderr; the
# environment the tests need is printed on stdout as `export` lines, so this works:
#     eval "$(tools/provision-docker.sh)"
# Details of every command run are appended to /var/log/jobs-provision.log.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

MIRROR=${JOBS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
CACHE_DIR=${JOBS_IMAGE_CACHE:-/var/cache/jobs-images}
STATE_DIR=/var/lib/jobs-provision
TRIXIE_APT_DIR=$STATE_DIR/apt-$SUITE
LOG=/var/log/jobs-provision.log
DOCKERD_LOG=/var/log/dockerd.log
LOCK_FILE=/var/lock/jobs-provision-docker.lock
MIN_API=1.44            # Testcontainers 4.x
MIN_DOCKERD_MAJOR=25    # Docker 25.0 speaks API 1.44
DOCKER_WAIT_S=60

PG_IMAGE=pgvector/pgvector:pg17
PG_IMAGE_ALIAS=jobs-pgvector:pg17
PG_BASE_IMAGE=jobs-pg-base:$SUITE
PG_PACKAGES=postgresql-17,postgresql-17-pgvector
PG_CONTEXT=$REPO_ROOT/docker/pgvector
RUNTIME_IMAGE=jobs-runtime-deps:$SUITE
RUNTIME_PACKAGES=libicu76,libssl3t64,ca-certificates,tzdata
APP_UID=1654            # same uid as the `app` user of the official .NET images
HASH_LABEL=org.jobs.provision.hash

# Everything a command prints goes to stderr; fd 3 (the original stdout) gets the export lines.
exec 3>&1 1>&2

SUMMARY=()
CLEANUP_PATHS=()
CREATED_POLICY_RC=0
SYSTEM_APT_UPDATED=0
TRIXIE_APT_UPDATED=0

log() { printf 'provision-docker: %s\n' "$*" >&2; }
step() { SUMMARY+=("$*"); log "$*"; }
die() { log "ERROR: $*"; exit 1; }

# Run a command with its output appended to $LOG; on failure show the end of it and stop.
quiet() {
    local rc=0
    printf '\n[%s] + %s\n' "$(date -Is)" "$*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "command failed (exit $rc): $*"
        tail -n 40 "$LOG" | sed 's/^/    | /' >&2
        log "full log: $LOG"
        exit "$rc"
    fi
}

unmount_under() {
    local root=$1 mnt
    awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
}

# Kill processes left running inside a chroot (e.g. a service started by a maintainer script).
kill_chroot_procs() {
    local root=$1 p
    for p in /proc/[0-9]*; do
        if [[ $(readlink "$p/root" 2>/dev/null || true) == "$root" ]]; then
            kill -9 "${p#/proc/}" 2>/dev/null || true
        fi
    done
}

cleanup() {
    local p
    if ((CREATED_POLICY_RC)); then rm -f /usr/sbin/policy-rc.d; fi
    for p in "${CLEANUP_PATHS[@]}"; do
        [[ -e $p ]] || continue
        kill_chroot_procs "$p"
        unmount_under "$p"
        rm -rf --one-file-system "$p"
    done
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# apt helpers

apt_install() { # bookworm packages (or paths of local .deb files)
    if ((SYSTEM_APT_UPDATED == 0)); then
        quiet apt-get update
        SYSTEM_APT_UPDATED=1
    fi
    quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# apt-get with a private trixie source list, lists and cache: only used for `apt-get download`,
# so the system's sources, pinning and package cache stay pure bookworm.
trixie_apt() {
    apt-get \
        -o Dir::Etc::SourceList="$TRIXIE_APT_DIR/sources.list" \
        -o Dir::Etc::SourceParts="$TRIXIE_APT_DIR/sources.list.d" \
        -o Dir::Etc::Preferences="$TRIXIE_APT_DIR/preferences" \
        -o Dir::Etc::PreferencesParts="$TRIXIE_APT_DIR/preferences.d" \
        -o Dir::State::Lists="$TRIXIE_APT_DIR/lists" \
        -o Dir::Cache="$TRIXIE_APT_DIR/cache" \
        -o Acquire::Languages=none \
        -o APT::Sandbox::User=root \
        "$@"
}

install_from_trixie() { # package names; downloads them from trixie, installs with bookworm deps
    if ((TRIXIE_APT_UPDATED == 0)); then
        mkdir -p "$TRIXIE_APT_DIR"/{sources.list.d,preferences.d,lists/partial,cache/archives/partial}
        # target=Packages: skip the DEP-11/Contents indexes that apt.conf.d may enable.
        printf 'deb [signed-by=%s target=Packages] %s %s main\n' "$KEYRING" "$MIRROR" "$SUITE" \
            >"$TRIXIE_APT_DIR/sources.list"
        quiet trixie_apt update
        TRIXIE_APT_UPDATED=1
    fi
    local dl
    dl=$(mktemp -d /tmp/jobs-provision-debs.XXXXXX)
    CLEANUP_PATHS+=("$dl")
    (cd "$dl" && quiet trixie_apt download "$@")
    # Keep maintainer scripts from starting services: this script starts dockerd itself.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        CREATED_POLICY_RC=1
    fi
    apt_install "$dl"/*.deb
    if ((CREATED_POLICY_RC)); then rm -f /usr/sbin/policy-rc.d; CREATED_POLICY_RC=0; fi
}

# ---------------------------------------------------------------------------------------------
# 1. Docker engine

server_api() { timeout 10 docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }

engine_ok() {
    local api
    command -v docker >/dev/null 2>&1 || return 1
    timeout 15 docker info >/dev/null 2>&1 || return 1
    api=$(server_api) || return 1
    [[ -n $api ]] && dpkg --compare-versions "$api" ge "$MIN_API"
}

dockerd_pid() { # pid of a running dockerd, if any
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    if [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == dockerd ]]; then
        echo "$pid"
    fi
}

dockerd_new_enough() {
    local major
    command -v dockerd >/dev/null 2>&1 || return 1
    major=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
    [[ -n $major ]] && ((major >= MIN_DOCKERD_MAJOR))
}

wait_for_engine() { # pid-or-empty; succeeds once `docker info` works with a new enough API
    local pid=$1 deadline=$((SECONDS + DOCKER_WAIT_S))
    while ((SECONDS < deadline)); do
        if engine_ok; then return 0; fi
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        sleep 1
    done
    return 1
}

start_dockerd() { # storage driver
    local driver=$1 args=() pid
    if ! grep -qs '"storage-driver"' /etc/docker/daemon.json; then
        args+=("--storage-driver=$driver")
    fi
    printf '\n===== %s: provision-docker starts dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$DOCKERD_LOG"
    # setsid + nohup: the daemon outlives this script and the CI step's process group.
    # Close fd 3 (our stdout: `$(provision-docker.sh)` would never see EOF) and fd 9 (the lock:
    # later runs would wait for it forever).
    setsid nohup dockerd "${args[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null 3>&- 9>&- &
    pid=$!
    if wait_for_engine "$pid"; then
        mkdir -p "$STATE_DIR"
        echo "$driver" >"$STATE_DIR/storage-driver"
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    sleep 2
    kill -9 "$pid" 2>/dev/null || true
    return 1
}

stop_dockerd() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 1
    done
    kill -9 "$pid" 2>/dev/null || true
}

ensure_engine() {
    local t0=$SECONDS pid api driver installed=()
    if engine_ok; then
        step "engine: docker already reachable (API $(server_api)), engine setup skipped"
        return
    fi

    pid=$(dockerd_pid)
    if [[ -n $pid ]] && command -v docker >/dev/null 2>&1; then
        # A daemon is running but not usable yet: give it a moment (it may still be starting).
        if wait_for_engine "$pid"; then
            step "engine: running dockerd became reachable (API $(server_api))"
            return
        fi
        api=$(server_api || true)
        log "engine: running dockerd (pid $pid, API ${api:-unreachable}) is not usable; stopping it"
        stop_dockerd "$pid"
    fi

    if ! dockerd_new_enough; then
        log "engine: installing Debian $SUITE docker.io (dockerd with API >= $MIN_API)..."
        install_from_trixie docker.io
        apt_install ca-certificates xz-utils
        installed+=("docker.io $(dpkg-query -W -f='${Version}' docker.io)")
        dockerd_new_enough || die "dockerd is still older than $MIN_DOCKERD_MAJOR.x after installing docker.io"
    fi
    if ! command -v docker >/dev/null 2>&1; then
        log "engine: docker CLI missing, installing Debian $SUITE docker-cli..."
        install_from_trixie docker-cli
        installed+=("docker-cli $(dpkg-query -W -f='${Version}' docker-cli)")
    fi

    driver=$(cat "$STATE_DIR/storage-driver" 2>/dev/null || echo overlay2)
    if start_dockerd "$driver"; then
        :
    elif [[ $driver != vfs ]] && { log "engine: dockerd with $driver failed (see $DOCKERD_LOG), retrying with vfs"; start_dockerd vfs; }; then
        driver=vfs
    else
        tail -n 30 "$DOCKERD_LOG" | sed 's/^/    | /' >&2
        die "dockerd did not become reachable within ${DOCKER_WAIT_S}s (log: $DOCKERD_LOG)"
    fi
    step "engine: ${installed[*]:+installed ${installed[*]}; }dockerd started (storage $driver, API $(server_api), log $DOCKERD_LOG) in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------------------------
# 2./3. Images from debootstrapped rootfs tarballs

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

ensure_debootstrap() {
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "rootfs: installing debootstrap..."
        apt_install debootstrap
    fi
}

pg_rootfs_hook() { # drop the cluster the Debian package creates; the entrypoint makes its own
    rm -rf "$1/etc/postgresql/17/main" "$1/var/lib/postgresql/17/main"
}

runtime_rootfs_hook() { # non-root `app` user as in the official .NET images
    chroot "$1" groupadd --gid "$APP_UID" app
    chroot "$1" useradd --no-log-init --uid "$APP_UID" --gid "$APP_UID" --create-home --shell /bin/sh app
}

rootfs_key() { # packages hook-function
    printf '%s|%s|%s|%s' "$SUITE" "$1" "$(declare -f "$2")" "$MIRROR" | sha256sum | cut -c1-12
}

# Sets ROOTFS_TARBALL to a cached tarball of a minbase trixie rootfs with the given packages.
ROOTFS_TARBALL=
ensure_rootfs() { # name packages hook-function
    local name=$1 packages=$2 hook=$3 key root t0=$SECONDS
    key=$(rootfs_key "$packages" "$hook")
    ROOTFS_TARBALL=$CACHE_DIR/$name-$SUITE-$key.tar
    if [[ -s $ROOTFS_TARBALL ]]; then
        log "rootfs: using cached $ROOTFS_TARBALL"
        return
    fi
    ensure_debootstrap
    mkdir -p "$CACHE_DIR/debs"
    root=$(mktemp -d "$CACHE_DIR/.rootfs-$name.XXXXXX")
    CLEANUP_PATHS+=("$root")
    log "rootfs: debootstrap $SUITE with $packages (about 30 s)..."
    quiet debootstrap --variant=minbase --include="$packages" --keyring="$KEYRING" \
        --cache-dir="$CACHE_DIR/debs" "$SUITE" "$root" "$MIRROR"
    kill_chroot_procs "$root"
    unmount_under "$root"
    quiet "$hook" "$root"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/* "$root"/var/tmp/*
    quiet tar --numeric-owner -C "$root" --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
        -cf "$ROOTFS_TARBALL.tmp" .
    mv "$ROOTFS_TARBALL.tmp" "$ROOTFS_TARBALL"
    # Older tarballs of the same image (other package lists) are no longer needed.
    find "$CACHE_DIR" -maxdepth 1 -name "$name-$SUITE-*.tar" ! -name "${ROOTFS_TARBALL##*/}" -delete
    rm -rf --one-file-system "$root"
    log "rootfs: built $ROOTFS_TARBALL ($(du -h "$ROOTFS_TARBALL" | cut -f1)) in $((SECONDS - t0))s"
}

# Imports a rootfs as image `tag` unless an image of the same rootfs (label) exists already.
# Sets IMPORTED=1 when it imported. (Not a return code: `set -e` is off in `if` conditions.)
IMPORTED=0
ensure_imported() { # tag name packages hook-function [--change ...]
    local tag=$1 name=$2 packages=$3 hook=$4 key
    shift 4
    IMPORTED=0
    # label = rootfs key + hash of the --change options
    key=$(rootfs_key "$packages" "$hook")-$(printf '%s\n' "$@" | sha256sum | cut -c1-8)
    if image_exists "$tag" && [[ $(image_label "$tag" "$HASH_LABEL") == "$key" ]]; then
        return 0
    fi
    ensure_rootfs "$name" "$packages" "$hook"
    quiet docker import --change "LABEL $HASH_LABEL=$key" "$@" "$ROOTFS_TARBALL" "$tag"
    IMPORTED=1
}

ensure_pg_image() {
    local t0=$SECONDS hash
    [[ -f $PG_CONTEXT/Dockerfile && -f $PG_CONTEXT/entrypoint.sh ]] || die "missing $PG_CONTEXT/{Dockerfile,entrypoint.sh}"
    hash=$({ cat "$PG_CONTEXT/Dockerfile" "$PG_CONTEXT/entrypoint.sh"; echo "$PG_PACKAGES|$SUITE"; declare -f pg_rootfs_hook; } |
        sha256sum | cut -c1-16)
    if image_exists "$PG_IMAGE" && [[ $(image_label "$PG_IMAGE" "$HASH_LABEL") == "$hash" ]]; then
        if ! image_exists "$PG_IMAGE_ALIAS" || [[ $(image_label "$PG_IMAGE_ALIAS" "$HASH_LABEL") != "$hash" ]]; then
            quiet docker tag "$PG_IMAGE" "$PG_IMAGE_ALIAS"
        fi
        step "pg image: $PG_IMAGE (= $PG_IMAGE_ALIAS) up to date, skipped"
        return
    fi
    ensure_imported "$PG_BASE_IMAGE" pg17-pgvector "$PG_PACKAGES" pg_rootfs_hook
    if ((IMPORTED)); then log "pg image: imported base $PG_BASE_IMAGE"; fi
    log "pg image: docker build (legacy builder) of $PG_CONTEXT..."
    quiet env DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$PG_BASE_IMAGE" \
        --label "$HASH_LABEL=$hash" -t "$PG_IMAGE" -t "$PG_IMAGE_ALIAS" "$PG_CONTEXT"
    # Drop superseded builds of this image.
    quiet docker image prune -f --filter "label=$HASH_LABEL"
    step "pg image: built $PG_IMAGE (= $PG_IMAGE_ALIAS; PostgreSQL 17 + pgvector, Debian $SUITE) in $((SECONDS - t0))s"
}

ensure_runtime_image() {
    local t0=$SECONDS
    ensure_imported "$RUNTIME_IMAGE" runtime-deps "$RUNTIME_PACKAGES" runtime_rootfs_hook \
        --change "ENV APP_UID=$APP_UID DOTNET_RUNNING_IN_CONTAINER=true LANG=C.UTF-8" \
        --change 'CMD ["/bin/bash"]'
    if ((IMPORTED)); then
        step "runtime image: imported $RUNTIME_IMAGE ($RUNTIME_PACKAGES; user app uid $APP_UID) in $((SECONDS - t0))s"
    else
        step "runtime image: $RUNTIME_IMAGE up to date, skipped"
    fi
}

# ---------------------------------------------------------------------------------------------

main() {
    local t0=$SECONDS
    [[ $(id -u) == 0 ]] || die "run as root"
    mkdir -p "$STATE_DIR" "$CACHE_DIR" "$(dirname "$LOG")"
    exec 9>"$LOCK_FILE"
    flock -w 1800 9 || die "another provision-docker run holds $LOCK_FILE"
    printf '\n===== %s provision-docker start\n' "$(date -Is)" >>"$LOG"

    ensure_engine
    ensure_pg_image
    ensure_runtime_image

    log "done in $((SECONDS - t0))s:"
    printf '    - %s\n' "${SUMMARY[@]}" >&2
    log "tests need: TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 (printed on stdout)"
    printf 'export TESTCONTAINERS_RYUK_DISABLED=true\nexport TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1\n' >&3
}

main "$@"
