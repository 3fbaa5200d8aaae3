#!/bin/sh
# changes.sh DIR SINCE FORMAT [REF]: what may have changed in DIR since SINCE (seconds since the epoch, by
# this machine's clock: the clock that stamps the ctimes, even if it jumped meanwhile), for a
# pass that only has to catch up with an earlier manifest (the VM frozen: nothing moves). ctime
# moves on every write, chmod, chown, link, unlink and rename, of the file itself or, for an entry
# added or removed, of its directory; it cannot be set back. So everything changed since a moment
# has a newer ctime, and one walk that only reads inodes finds it. GNU find compares with REF's
# ctime exactly (-newercc); BusyBox's counts whole minutes back (-cmin), a wider net.
#
# Prints NUL-terminated records, each tagged by its first byte: N a changed path, S its
# `stat -c FORMAT` line (the S records of a batch follow its N records in the same order), D a
# changed directory, E one of its entries, . the end of that directory's entries. Names reach
# stat and the loops as find's own arguments (no xargs: BusyBox's mangles long NUL lists).
set -eu
cd "$1"
export TZ=UTC0
if [ -n "${4:-}" ] && [ -e "$4" ] && find . -maxdepth 0 -newercc "$4" >/dev/null 2>&1; then
  set -- "$1" "$2" "$3" -newercc "$4"
else
  # Whole minutes, as -cmin counts them, with one to spare.
  set -- "$1" "$2" "$3" -cmin "-$(( ($(date +%s) - $2) / 60 + 2 ))"
fi
# shellcheck disable=SC2016 # expanded by the inner sh
find . "$4" "$5" -exec sh -c '
  format=$1
  shift
  for p; do printf "N%s\000" "$p"; done
  stat -c "$format" "$@" | sed "s/^/S/" | tr "\n" "\000"
  for p; do
    if [ -d "$p" ] && [ ! -L "$p" ]; then
      printf "D%s\000" "$p"
      # Its entries by the shell globbing (hidden ones too): no process per directory.
      for e in "$p"/* "$p"/.[!.]* "$p"/..?*; do
        if [ -e "$e" ] || [ -L "$e" ]; then printf "E%s\000" "$e"; fi
      done
      printf ".\000"
    fi
  done
' changes.sh "$3" {} +
