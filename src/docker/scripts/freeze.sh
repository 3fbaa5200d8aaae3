#!/bin/sh
# The snapshot freezer, run inside a short-lived helper container that sees the engine host's cgroup
# tree at /host/cgroup. It freezes and thaws one container's cgroup directly, without the engine's
# pause: the engine then never marks the VM unhealthy (it does for every paused container), and a
# thaw never waits on the engine (an exec racing `docker pause` once wedged the engine's own unpause).
#
#   freeze.sh find CONTAINER_ID      prints "v1 DIR" or "v2 DIR": where that container's freezer is
#   freeze.sh freeze V DIR SECONDS   freezes; a watchdog thaws again after SECONDS whatever happens
#   freeze.sh thaw V DIR             thaws (idempotent) and stops the watchdog
#   freeze.sh state V DIR            prints frozen or thawed
#   freeze.sh hold V DIR SECONDS [SCAN...]
#                                    freezes, prints "frozen", runs each SCAN (a shell command line
#                                    run with sh -c: a snapshot pass reading a volume) and prints
#                                    its output's size in bytes on a line, then the output; prints
#                                    "held", then waits for a line (or the end) on stdin and thaws:
#                                    one exec for the whole frozen moment, so no engine round trip
#                                    stands between freezing, reading the volumes and thawing. If
#                                    dockervm dies, stdin ends and the VM is thawed at once.
#
# Every wait is bounded. Exit status: 0 done, 3 the cgroup did not reach the state asked for.
set -eu

root=/host/cgroup
# /dev/shm: a tmpfs, so nothing of this ends up in an image committed from the helper.
watchdog_pid=/dev/shm/dockervm-freezer-watchdog.pid

state() { # state V DIR: prints frozen or thawed (FREEZING counts as not frozen yet)
  if [ "$1" = v1 ]; then
    [ "$(cat "$2/freezer.state")" = FROZEN ] && echo frozen || echo thawed
  else
    grep -q '^frozen 1$' "$2/cgroup.events" && echo frozen || echo thawed
  fi
}

request() { # request V DIR frozen|thawed
  if [ "$1" = v1 ]; then
    if [ "$3" = frozen ]; then echo FROZEN > "$2/freezer.state"; else echo THAWED > "$2/freezer.state"; fi
  else
    if [ "$3" = frozen ]; then echo 1 > "$2/cgroup.freeze"; else echo 0 > "$2/cgroup.freeze"; fi
  fi
}

reach() { # reach V DIR frozen|thawed: asks, then waits up to about 2 s (a cgroup v1 freeze of a task
          # that is just forking can stay FREEZING for a while; asking again moves it on)
  tries=0
  while [ "$tries" -lt 200 ]; do
    request "$1" "$2" "$3"
    [ "$(state "$1" "$2")" = "$3" ] && return 0
    tries=$((tries + 1))
    sleep 0.01
  done
  return 3
}

thaw() {
  if [ -f "$watchdog_pid" ]; then
    kill "$(cat "$watchdog_pid")" 2>/dev/null || true
    rm -f "$watchdog_pid"
  fi
  reach "$1" "$2" thawed
}

case "${1:-}" in
find)
  id=$2
  case "$id" in *[!0-9a-f]* | '') echo "not a container id: $id" >&2; exit 2 ;; esac
  # cgroup v1 (also the hybrid layout): the freezer hierarchy. cgroup v2: the unified tree.
  # The container's directory is named after its full id by both cgroup drivers
  # (cgroupfs: docker/ID, systemd: system.slice/docker-ID.scope).
  if [ -d "$root/freezer" ]; then
    dir=$(find "$root/freezer" -maxdepth 4 -type d -name "*$id*" | head -n 1)
    [ -n "$dir" ] && [ -f "$dir/freezer.state" ] && { echo "v1 $dir"; exit 0; }
  elif [ -f "$root/cgroup.controllers" ]; then
    dir=$(find "$root" -maxdepth 5 -type d -name "*$id*" | head -n 1)
    [ -n "$dir" ] && [ -f "$dir/cgroup.freeze" ] && { echo "v2 $dir"; exit 0; }
  fi
  echo "no freezer cgroup for $id" >&2
  exit 3
  ;;
freeze | hold)
  action=$1 v=$2 dir=$3 seconds=$4
  shift 4
  # The watchdog outlives this exec (and a dockervm killed in the middle of a save): the VM can
  # never stay frozen longer than SECONDS.
  (sleep "$seconds"; request "$v" "$dir" thawed) >/dev/null 2>&1 &
  echo $! > "$watchdog_pid"
  if ! reach "$v" "$dir" frozen; then
    thaw "$v" "$dir" || true
    echo "the cgroup did not freeze" >&2
    exit 3
  fi
  [ "$action" = freeze ] && exit 0
  trap 'thaw "$v" "$dir"' EXIT
  echo frozen
  out=/dev/shm/dockervm-scan
  for scan in "$@"; do
    sh -c "$scan" > "$out"
    wc -c < "$out" | tr -d ' '
    cat "$out"
  done
  rm -f "$out"
  echo held
  read -r _ || true
  thaw "$v" "$dir"
  trap - EXIT
  echo thawed
  ;;
thaw)
  thaw "$2" "$3"
  ;;
state)
  state "$2" "$3"
  ;;
*)
  echo "usage: freeze.sh find ID | freeze V DIR SECONDS | thaw V DIR | state V DIR" >&2
  exit 2
  ;;
esac
