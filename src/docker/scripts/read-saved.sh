#!/bin/sh
# read-saved.sh DIR: what a snapshot saved for one volume: meta.json (one line) and the manifest.
set -eu
test -f "$1/manifest"
test -f "$1/meta.json"
cat "$1/meta.json" "$1/manifest"
