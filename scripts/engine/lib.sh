# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this
# Shared helpers for scripts/engine/*.sh (sourced, never run on its own).
# Every path is derived from this file's location, so the repo can live anywhere.

ENGINE_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$ENGINE_DIR/../.." && pwd -P)
CACHE_DIR=$REPO_ROOT/.cache        # git-ignored
RUN_DIR=$CACHE_DIR/run             # pid files, logs, generated configs
DEB_DIR=$CACHE_DIR/debs            # downloaded trixie .debs
ROOTFS_DIR=$CACHE_DIR/rootfs       # debootstrap / busybox rootfs tarballs
REGISTRY_DIR=$CACHE_DIR/registry   # local registry storage

REGISTRY_HOST=127.0.0.1:5000
REGISTRY_URL=http://$REGISTRY_HOST
DEBIAN_MIRROR=http://deb.debian.org/debian
DAEMON_JSON=/etc/docker/daemon.json
# up.sh keeps the original daemon.json here (or the "none" marker when there was none);
# down.sh puts it back. Next to the file, so it survives a wiped .cache/.
DAEMON_JSON_BACKUP=$DAEMON_JSON.dockervm-orig
DAEMON_JSON_NONE=$DAEMON_JSON.dockervm-none

ME=$(basename -- "$0" .sh)

log() { printf 'engine/%s: %s\n' "$ME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (needs apt/dpkg, dockerd, debootstrap)"
}

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' not found: run scripts/engine/install.sh first"
  done
}

# Seconds since the script started, for timing messages.
elapsed() { printf '%ss' "$SECONDS"; }

# wait_for DESCRIPTION SECONDS COMMAND... : polls COMMAND every 0.5 s, bounded in both
# count and wall time. Returns non-zero on timeout.
wait_for() {
  local what=$1 limit=$2 i max deadline
  shift 2
  max=$((limit * 2))
  deadline=$((SECONDS + limit))
  for ((i = 0; i < max; i++)); do
    if "$@"; then return 0; fi
    ((SECONDS < deadline)) || break
    sleep 0.5
  done
  log "timed out after ${limit}s waiting for $what"
  return 1
}

# pidfile_alive FILE EXE_NAME : true when FILE holds the pid of a live process whose
# executable is EXE_NAME (guards against a recycled pid).
pidfile_alive() {
  local file=$1 exe=$2 pid
  [ -s "$file" ] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(basename -- "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = "$exe" ]
}

# stop_pidfile NAME FILE EXE_NAME SECONDS : TERM, bounded wait, then KILL.
stop_pidfile() {
  local name=$1 file=$2 exe=$3 limit=$4 pid
  if ! pidfile_alive "$file" "$exe"; then
    rm -f -- "$file"
    return 0
  fi
  pid=$(<"$file")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_for "$name to exit" "$limit" pid_gone "$pid"; then
    log "$name still running after ${limit}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_for "$name to die" 5 pid_gone "$pid" || die "could not stop $name (pid $pid)"
  fi
  rm -f -- "$file"
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

registry_answers() {
  curl -fsS --max-time 3 -o /dev/null "$REGISTRY_URL/v2/" 2>/dev/null
}

docker_answers() {
  timeout 15 docker info >/dev/null 2>&1
}

# Manifest media types we accept when asking the registry about a tag.
MANIFEST_ACCEPT='application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'

# registry_digest REPO TAG : prints the Docker-Content-Digest of REPO:TAG, or nothing.
registry_digest() {
  local headers
  headers=$(curl -fsS --max-time 10 -I -H "Accept: $MANIFEST_ACCEPT" \
    "$REGISTRY_URL/v2/$1/manifests/$2" 2>/dev/null) || return 0
  printf '%s\n' "$headers" | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }'
}
