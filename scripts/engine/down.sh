#!/usr/bin/env bash
# Stops only what scripts/engine/up.sh started (found through its pid files in .cache/run/),
# with bounded waits, and puts back the daemon.json that up.sh replaced. Caches stay in place.
set -euo pipefail
# shellcheck source=scripts/engine/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

require_root

DOCKERD_PID=$RUN_DIR/dockerd.pid
REGISTRY_PID=$RUN_DIR/registry.pid
DOCKERD_RELOADED=$RUN_DIR/dockerd.reloaded

# dockerd first (it may still pull from the registry). On TERM it stops running containers
# (15 s each by default, in parallel) and its own containerd, hence the longer bound.
if pidfile_alive "$DOCKERD_PID" dockerd; then
  stop_pidfile dockerd "$DOCKERD_PID" dockerd 60
  log "dockerd stopped"
else
  rm -f -- "$DOCKERD_PID"
  if pgrep -x dockerd >/dev/null; then log "dockerd: not started by up.sh, left running"; fi
fi

if pidfile_alive "$REGISTRY_PID" docker-registry; then
  stop_pidfile registry "$REGISTRY_PID" docker-registry 15
  log "registry stopped"
else
  rm -f -- "$REGISTRY_PID"
  if registry_answers; then log "registry: not started by up.sh, left running"; fi
fi

if [ -e "$DAEMON_JSON_BACKUP" ]; then
  mv -f -- "$DAEMON_JSON_BACKUP" "$DAEMON_JSON"
  log "restored the original $DAEMON_JSON"
elif [ -e "$DAEMON_JSON_NONE" ]; then
  rm -f -- "$DAEMON_JSON" "$DAEMON_JSON_NONE"
  log "removed $DAEMON_JSON (there was none before up.sh)"
fi

# A dockerd we did not start but reconfigured by SIGHUP: let it re-read the restored file.
if [ -s "$DOCKERD_RELOADED" ]; then
  pid=$(<"$DOCKERD_RELOADED")
  if [[ $pid =~ ^[0-9]+$ ]] && [ "$(basename -- "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = dockerd ]; then
    kill -HUP "$pid" && log "asked dockerd (pid $pid) to reload its restored configuration"
  fi
fi
rm -f -- "$DOCKERD_RELOADED"
log "done in $(elapsed) (caches in .cache/ kept)"
