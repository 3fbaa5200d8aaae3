#!/bin/sh
# manifest.sh DIR FORMAT: the manifest of a directory (a mounted volume, or saved data) in one exec:
# the NUL-terminated names, one more NUL (names are never empty, so a double NUL cannot occur inside
# them), then the `stat -c FORMAT` lines in the same order. Two walks of the tree: when a running VM
# changed it in between (the counts differ, or a file vanished before stat saw it), read it again.
set -eu
cd "$1"
# stat formats times without reading a zone file for each one (a quarter faster).
export TZ=UTC0
names=/tmp/.dockervm-names stats=/tmp/.dockervm-stats
tries=0
while :; do
  if find . -print0 > "$names" && find . -exec stat -c "$2" {} + > "$stats" 2>/dev/null; then
    count=$(tr -cd '\000' < "$names" | wc -c)
    lines=$(wc -l < "$stats")
    [ "$count" -eq "$lines" ] && break
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
