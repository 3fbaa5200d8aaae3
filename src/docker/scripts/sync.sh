#!/bin/sh
# sync.sh SRC DST PLAN FULL RECORD: applies a plan that was put into PLAN beforehand: removals, the
# copy, directory times, and (when saving: RECORD is the saved volume's directory) the new manifest
# moved into place; then the plan is gone. Copies go through `cpio -0` (no recursion: exactly the
# planned paths), which BusyBox and GNU both have. Written for any POSIX sh (dash has no pipefail:
# the copying side's status goes through a file).
set -eu
src=$1 dst=$2 plan=$3 full=$4 record=$5
mkdir -p "$dst"
cd "$dst"
if [ "$full" = 1 ]; then find . -mindepth 1 -maxdepth 1 -exec rm -rf {} +; fi
sh "$plan/remove.sh"
cd "$src"

fail() {
  echo "$1:"
  grep -v ' blocks$' "$plan/err" || true
  exit 1
}

copy() { # copy LIST: the listed paths from SRC to DST, keeping owners, modes and times
  { cpio -o -H newc -0 < "$1" 2>"$plan/err"; echo $? > "$plan/out-status"; } |
    (cd "$dst" && cpio -i -d -m -u 2>>"$plan/err") || return 1
  [ "$(cat "$plan/out-status")" = 0 ]
}

copy "$plan/copy.list" || fail "copying files"
copy "$plan/dirs.list" || fail "setting directory times"
if [ -n "$record" ]; then mv "$plan/manifest" "$plan/meta.json" "$record/"; fi
rm -rf "$plan"
