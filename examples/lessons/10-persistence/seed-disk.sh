# Copies the image's system directories onto the disk volume, once. A marker file records that the
# disk is complete; later runs leave the disk alone, so changes made in the VM are never overwritten.
set -eu
disk=/disk
if [ -f "$disk/.seeded" ]; then
  echo "disk-init: already seeded on $(cat "$disk/.seeded"), nothing to do"
  exit 0
fi
for dir in etc home opt root srv usr var; do
  rm -rf "$disk/.partial-$dir"
  cp -a "/$dir" "$disk/.partial-$dir"
  mv "$disk/.partial-$dir" "$disk/$dir"
done
date -u +%FT%TZ > "$disk/.seeded"
echo "disk-init: seeded etc home opt root srv usr var"
