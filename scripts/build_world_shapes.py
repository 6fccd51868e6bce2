"""Build the country shapes of the world maps, ``src/tariffsim/data/world_shapes.npz``, from Natural Earth.

    pip download --no-deps -d /tmp/ne geopandas==0.14.4      # the last geopandas that bundles the shapes
    cd /tmp/ne && python -m zipfile -e geopandas-0.14.4-py3-none-any.whl x
    python scripts/build_world_shapes.py /tmp/ne/x/geopandas/datasets/naturalearth_lowres

The source is Natural Earth's 1:110m "Admin 0 - Countries" (public domain), as geopandas 0.14 shipped it
(``naturalearth_lowres.shp`` and ``.dbf``: name and ISO3 code of 177 countries). The shapefile is read
here with ``struct`` (polygons only), so the build needs nothing but numpy. Changes made:

- Antarctica (``ATA``) is dropped: it trades nothing and would take a sixth of the map;
- Kosovo (``-99`` in the file) gets ``XKX``, the code trade data use; Northern Cyprus (``CYN``) is drawn
  as part of Cyprus (``CYP``) and Somaliland (``SOL``) as part of Somalia (``SOM``), as trade data count
  them;
- coordinates are rounded to 0.01 degrees and kept as int16 (under 0.1% of the map's width).

Attribution and terms: ``src/tariffsim/data/NATURAL_EARTH.md``.
"""

from __future__ import annotations

import io
import itertools
import struct
import sys
from pathlib import Path

import numpy as np

from tariffsim.atomic import atomic_write_bytes

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "src" / "tariffsim" / "data" / "world_shapes.npz"
DROPPED = {"ATA"}
RENAMED = {"-99": "XKX", "CYN": "CYP", "SOL": "SOM"}
SCALE = 100  # int16 units per degree
MAX_BYTES = 300_000
POLYGON = 5


def read_polygons(shp: Path) -> list[list[np.ndarray]]:
    """The rings (each (n, 2) longitude, latitude) of every record of the polygon shapefile ``shp``."""
    data = shp.read_bytes()
    offset, records = 100, []
    while offset < len(data):
        _, words = struct.unpack(">ii", data[offset:offset + 8])
        content = data[offset + 8:offset + 8 + 2 * words]
        offset += 8 + 2 * words
        kind, = struct.unpack("<i", content[:4])
        if kind != POLYGON:
            raise SystemExit(f"{shp}: record {len(records) + 1} has shape type {kind}, expected polygons ({POLYGON})")
        parts, points = struct.unpack("<ii", content[36:44])
        starts = list(struct.unpack(f"<{parts}i", content[44:44 + 4 * parts])) + [points]
        xy = np.frombuffer(content, dtype="<f8", count=2 * points, offset=44 + 4 * parts).reshape(points, 2)
        records.append([xy[a:b] for a, b in itertools.pairwise(starts)])
    return records


def read_table(dbf: Path) -> list[dict[str, str]]:
    """The rows of the dBASE table ``dbf`` as text (field name -> stripped value), in the encoding its
    ``.cpg`` file names."""
    data = dbf.read_bytes()
    encoding = dbf.with_suffix(".cpg").read_text().strip()
    count, header, length = struct.unpack("<IHH", data[4:12])
    fields, position = [], 32
    while data[position] != 0x0D:
        name = data[position:position + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[position + 16]))
        position += 32
    rows = []
    for k in range(count):
        record, cursor, row = data[header + k * length:header + (k + 1) * length], 1, {}
        for name, size in fields:
            row[name] = record[cursor:cursor + size].decode(encoding).strip()
            cursor += size
        rows.append(row)
    return rows


def build(folder: Path, target: Path = TARGET) -> int:
    """Write the shapes of the Natural Earth folder ``folder``; returns the file's size in bytes."""
    rows = read_table(folder / "naturalearth_lowres.dbf")
    shapes = read_polygons(folder / "naturalearth_lowres.shp")
    codes: list[str] = []
    names: list[str] = []
    ring_country, rings = [], []
    for row, polygon in zip(rows, shapes, strict=True):
        code = RENAMED.get(row["iso_a3"], row["iso_a3"])
        if code in DROPPED:
            continue
        if code not in codes:
            codes.append(code)
            names.append(row["name"])
        for ring in polygon:
            ring_country.append(codes.index(code))
            rings.append(np.round(ring * SCALE).astype(np.int16))
    starts = np.cumsum([0] + [len(r) for r in rings])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, codes=np.array(codes), names=np.array(names), ring_country=np.array(ring_country),
                        ring_start=starts, points=np.concatenate(rings), scale=np.array(SCALE))
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{target.name} would be {len(data):,} bytes, above the {MAX_BYTES:,}-byte limit")
    atomic_write_bytes(target, data)
    return len(data)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    size = build(Path(sys.argv[1]))
    print(f"wrote {TARGET} ({size:,} bytes)")
