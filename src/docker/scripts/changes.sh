#!/bin/sh
# changes.sh DIR SINCE FORMAT: what may have changed in DIR since SINCE (seconds since the epoch, by
# this machine's clock: the clock that stamps the ctimes, even if it jumped meanwhile), for a
# pass that only has to catch up with an earlier manifest (the VM frozen: nothing moves). ctime
# moves on every write, chmod, chown, link, unlink and rename, of the file itself or, for an entry
# added or removed, of its directory; it cannot be set back. So everything changed since a moment
# has a newer ctime, and one walk that only reads inodes finds it. Prints, NUL-separated:
#   the changed paths, an empty record, their `stat -c FORMAT` lines (newline-separated), a NUL,
#   then per changed directory: its path, its entries, an empty record.
set -eu
cd "$1"
export TZ=UTC0
list=/tmp/.dockervm-changed
# Whole minutes, as -cmin counts them (BusyBox has no -cnewer), with one to spare.
minutes=$(( ($(date +%s) - $2) / 60 + 2 ))
find . -cmin "-$minutes" -print0 > "$list"
cat "$list"
printf '\000'
xargs -0 -r stat -c "$3" < "$list"
printf '\000'
# shellcheck disable=SC2016 # expanded by the inner sh
xargs -0 -r sh -c 'for p; do if [ -d "$p" ] && [ ! -L "$p" ]; then printf "%s\000" "$p"; find "$p" -mindepth 1 -maxdepth 1 -print0; printf "\000"; fi; done' changes.sh < "$list"
rm -f "$list"
