#!/usr/bin/env python3
# Prints the 2048 game as Firefox has written it to the disk. The localStorage of the game's page
# (http://127.0.0.1:8000) is an SQLite database in the browser profile; Firefox keeps it locked and
# compresses the values with Snappy, so it is read as an unchanging file and decompressed here.
import json
import pathlib
import sqlite3
import sys

DB = pathlib.Path.home() / 'game-profile/storage/default/http+++127.0.0.1+8000/ls/data.sqlite'


def unsnappy(data: bytes) -> bytes:
    """Snappy's raw format: the length, then literals and copies of what came before."""
    length, shift, i = 0, 0, 0
    while True:
        byte = data[i]
        i += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    out = bytearray()
    while i < len(data):
        tag = data[i]
        i += 1
        kind = tag & 3
        if kind == 0:  # literal
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                size = int.from_bytes(data[i:i + extra], 'little')
                i += extra
            out += data[i:i + size + 1]
            i += size + 1
            continue
        if kind == 1:
            size, offset = 4 + ((tag >> 2) & 7), ((tag >> 5) << 8) | data[i]
            i += 1
        else:
            width = 2 if kind == 2 else 4
            size, offset = (tag >> 2) + 1, int.from_bytes(data[i:i + width], 'little')
            i += width
        for _ in range(size):  # byte by byte: a copy may overlap what it writes
            out.append(out[-offset])
    if len(out) != length:
        sys.exit(f'damaged value: {len(out)} bytes, expected {length}')
    return bytes(out)


if not DB.exists():
    sys.exit(f'no localStorage on the disk yet ({DB})')
with sqlite3.connect(f'file:{DB}?immutable=1', uri=True) as connection:
    row = connection.execute("SELECT value, compression_type FROM data WHERE key = 'dockervm-2048'").fetchone()
if row is None:
    sys.exit('the game has not been saved to the disk yet')
value, compression = row
game = json.loads(unsnappy(value) if compression == 1 else value)
rows = [' '.join(str(v) for v in game['board'][r * 4:r * 4 + 4]) for r in range(4)]
print(f"score {game['score']} moves {game['moves']}{' GAME OVER' if game['over'] else ''} [{' / '.join(rows)}]")
