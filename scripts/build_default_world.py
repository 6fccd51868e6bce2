"""Build the embedded default world, ``src/tariffsim/data/icio2022.npz``, from the shared ICIO 2022 cube.

    python scripts/build_default_world.py [../shared/data/tariffwar/ICIO2022.mat]

The file holds the cube exactly (float64 flows and tariffs, all eight elasticity sets, names, year), so
``read_world("icio2022")`` gives the same World with or without the shared data. Compressed with zlib
it is about 1 MB; the build refuses to write more than MAX_BYTES. Sources and terms:
``src/tariffsim/data/SOURCES.md``.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np

from tariffsim.atomic import atomic_write_bytes
from tariffsim.io.tariffwar import read_cube

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "tariffwar" / "ICIO2022.mat"
TARGET = REPO / "src" / "tariffsim" / "data" / "icio2022.npz"
MAX_BYTES = 2_000_000


def build(source: Path = DEFAULT_SOURCE, target: Path = TARGET) -> int:
    """Write the embedded world; returns its size in bytes."""
    world = read_cube(source)
    meta = {"countries": world.countries, "sectors": world.sectors,
            "year": world.year, "sets": list(world.elasticities), "source_file": source.name}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, trade=world.trade, tariffs=world.tariffs,
                        **{f"sigma_{name}": sigma for name, sigma in world.elasticities.items()},
                        meta=np.array(json.dumps(meta)))
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{target.name} would be {len(data):,} bytes, above the {MAX_BYTES:,}-byte limit")
    atomic_write_bytes(target, data)
    return len(data)


if __name__ == "__main__":
    size = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
    print(f"wrote {TARGET.relative_to(REPO)} ({size:,} bytes)")
