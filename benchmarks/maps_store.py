"""World-map rendering time and runs-store write/read time on the largest worlds (issue 14 items 1-2).

For icio2022 (81 economies x 28 sectors: 28,107 result rows) and ilms2025 (194 countries x 1 sector:
bilateral rows for 194 x 194 pairs), one equilibrium under the Krugman model: the US adds 10 points to
every tariff. Then:

- map: ``maps.equilibrium_map`` (the figure alone: ``map_figure``) and the figure drawn and written as PNG
  and as SVG (``map_png``, ``map_svg``), ``--repeat`` times each (median and min, seconds);
- store: ``Store.save`` of the run (one transaction, WAL) into a new database and ``Store.get`` of it,
  ``--repeat`` times each (median and min), with the rows and the database's size.

Records the 1-minute load average before and after (the machine is shared). Prints JSON.

Usage: python benchmarks/maps_store.py [--repeat 5] (ilms2025 needs TARIFFSIM_DATA; skipped without it)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def timed(repeat: int, action) -> dict:
    """Median and min wall time (seconds) of ``repeat`` calls of ``action()``."""
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(seconds), 4), "min_s": round(min(seconds), 4)}


def equilibrium(name: str):
    """The world ``name`` with the US adding 10 points to all its tariffs, solved (Krugman)."""
    from tariffsim.io import read_world
    from tariffsim.models import Krugman
    from tariffsim.policy import Policy

    world = read_world(name)
    tariffs = world.tariffs.copy()
    us = world.country_index("USA")
    tariffs[:, us, :] += 0.10
    tariffs[us, us, :] = world.tariffs[us, us, :]
    model = Krugman()
    return model.solve(model.calibrate(world), Policy(tariffs, name="US +10 points on all imports"))


def case(name: str, repeat: int, folder: Path) -> dict:
    from tariffsim import maps
    from tariffsim.results import to_json_dict
    from tariffsim.store import Store, run_from_document

    start = time.perf_counter()
    eq = equilibrium(name)
    out: dict = {"world": name, "countries": eq.world.n_countries, "sectors": eq.world.n_sectors,
                 "solve_s": round(time.perf_counter() - start, 2)}
    out["map_figure"] = timed(repeat, lambda: maps.equilibrium_map(eq))
    for extension in maps.FORMATS:
        target = folder / f"{name}.{extension}"
        out[f"map_{extension}"] = timed(repeat, lambda target=target: maps.save(maps.equilibrium_map(eq), target))
        out[f"map_{extension}_bytes"] = target.stat().st_size
    run = run_from_document("solve", to_json_dict(eq, {"title": eq.policy.name}), title=eq.policy.name)
    out["rows"] = len(run.results)
    path = folder / f"{name}.sqlite"
    with Store(path) as store:
        ids = []
        out["store_write"] = timed(repeat, lambda: ids.append(store.save(run)))
        out["store_read"] = timed(repeat, lambda: store.get(ids[-1]))
        assert store.check() == [] and len(store.get(ids[-1]).results) == out["rows"]
    out["database_bytes_per_run"] = round(sum(p.stat().st_size for p in folder.glob(f"{name}.sqlite*")) / repeat)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result: dict = {"benchmark": "maps_store", "repeat": args.repeat, "load_before": os.getloadavg()[0], "cases": []}
    worlds = ["icio2022"] + (["ilms2025"] if os.environ.get("TARIFFSIM_DATA") else [])
    with tempfile.TemporaryDirectory() as folder:
        for name in worlds:
            result["cases"].append(case(name, args.repeat, Path(folder)))
    result["load_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
