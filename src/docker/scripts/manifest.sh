#!/bin/sh
# manifest.sh DIR FORMAT [live [REF]]: the manifest of a directory (a mounted volume, or saved data) in
# one exec: the NUL-terminated names, one more NUL (names are never empty, so a double NUL cannot
# occur inside them), then the `stat -c FORMAT` lines in the same order. The names and the stat
# lines come from two walks of the tree: when a running VM changed it in between (the counts
# differ, a file vanished before stat saw it, or, with `live`, a third listing differs from the
# first), it is read again. REF: a file touched just before the walk, whose ctime a later
# changes.sh compares with (see there).
set -eu
cd "$1"
live=${3:-}
if [ -n "${4:-}" ]; then
  touch "$4"
  # A tick of the clock that stamps ctimes later: whatever changes from now on is newer than REF.
  sleep 0.05
fi
# stat formats times without reading a zone file for each one (a quarter faster).
export TZ=UTC0
names=/tmp/.dockervm-names stats=/tmp/.dockervm-stats
tries=0
while :; do
  if find . -print0 > "$names" && find . -exec stat -c "$2" {} + > "$stats" 2>/dev/null; then
    count=$(tr -cd '\000' < "$names" | wc -c)
    lines=$(wc -l < "$stats")
    if [ "$count" -eq "$lines" ]; then
      [ -z "$live" ] && break
      # A rename keeps the counts but may shift which line belongs to which name.
      [ "$(find . -print0 | cksum)" = "$(cksum < "$names")" ] && break
    fi
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 3 ]; then
    rm -f "$names" "$stats"
    echo "$1 kept changing while it was read" >&2
    exit 4
  fi
done
cat "$names"
printf '\000'
cat "$stats"
rm -f "$names" "$stats"
