#!/bin/sh
# drop-saved.sh ROOT NAME...: removes saved data of volumes that are no longer part of the project.
set -eu
root=$1
shift
cd "$root" 2>/dev/null || exit 0
for dir in *; do
  [ -e "$dir" ] || continue
  keep=0
  for name in "$@"; do [ "$dir" = "$name" ] && keep=1; done
  [ "$keep" = 1 ] || rm -rf -- "$dir"
done
