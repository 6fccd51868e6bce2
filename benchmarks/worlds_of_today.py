"""The worlds of today: read time of every world cube, and krugman solve and compile time and peak memory
on icio2022 (81 x 28), wiod2014 (44 x 16) and ilms2025 (194 x 1); ``--elasticity all`` on icio2022,
serial and on a LocalCluster.

Each world runs in its own process, so compile time is a cold start (JAX's persistent compilation
cache is switched off: TARIFFSIM_JAX_CACHE=off) and peak memory (max resident set) belongs to it.
The shock: the US adds 25 points to its tariffs on Japan in motor vehicles (icio C29, wiod C29_30;
ilms2025: on all of Japan's goods); later solves move the rate (25, 26, ... points), so no solve is a
repeat. Prints JSON.

Usage: python benchmarks/worlds_of_today.py [--repeat 5] [--skip-sensitivity]
(needs TARIFFSIM_DATA with tariffwar/ and ilms2025/)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

WORLDS = {"icio2022": "C29", "wiod2014": "C29_30", "ilms2025": "all"}


def read_cubes() -> dict:
    from tariffsim.datasets import data_root
    from tariffsim.io.tariffwar import cubes_in, read_cube

    seconds = {}
    for cube in cubes_in(data_root() / "tariffwar"):
        start = time.perf_counter()
        read_cube(cube.path)
        seconds[cube.name] = round(time.perf_counter() - start, 4)
    return {"read_seconds": seconds, "median_icio": statistics.median(v for k, v in seconds.items() if k.startswith("icio")),
            "median_wiod": statistics.median(v for k, v in seconds.items() if k.startswith("wiod"))}


def run_world(name: str, repeat: int) -> dict:
    import numpy as np

    from tariffsim.io import read_world
    from tariffsim.models import Krugman
    from tariffsim.policy import Policy

    start = time.perf_counter()
    world = read_world(name)
    read_seconds = time.perf_counter() - start
    model = Krugman()
    start = time.perf_counter()
    calibration = model.calibrate(world)
    calibrate_seconds = time.perf_counter() - start
    japan, usa, sector = world.country_index("JPN"), world.country_index("USA"), world.sectors.index(WORLDS[name])

    def shock(points: float) -> Policy:
        tariffs = np.array(world.tariffs)
        tariffs[japan, usa, sector] += points / 100
        return Policy(tariffs)

    start = time.perf_counter()
    first = model.solve(calibration, shock(25))
    first_seconds = time.perf_counter() - start
    times, residuals = [], [first.max_residual]
    for k in range(1, repeat + 1):
        start = time.perf_counter()
        result = model.solve(calibration, shock(25 + k))
        times.append(time.perf_counter() - start)
        residuals.append(result.max_residual)
    return {"world": name, "size": f"{world.n_countries}x{world.n_sectors}", "read_seconds": round(read_seconds, 4),
            "calibrate_seconds": round(calibrate_seconds, 3), "first_solve_seconds": round(first_seconds, 3),
            "compile_seconds_estimate": round(first_seconds - statistics.median(times), 3),
            "solve_seconds_median": round(statistics.median(times), 4), "solve_seconds_min": round(min(times), 4),
            "newton_steps": result.steps, "max_residual": max(residuals),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def sensitivity(scheduler: str) -> dict:
    """Wall time of ``tariffsim solve --data icio2022 --elasticity all`` (the whole command)."""
    scenario = os.path.join(os.path.dirname(__file__), "..", "examples", "us_autos_japan.toml")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tariffsim", "solve", "--data", "icio2022", "-s", scenario,
                           "--elasticity", "all", "--scheduler", scheduler, "--workers", "2"],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return {"scheduler": scheduler, "wall_seconds": round(time.perf_counter() - start, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-sensitivity", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(read_cubes() if args.one == "cubes" else run_world(args.one, args.repeat)))
        return
    env = {**os.environ, "TARIFFSIM_JAX_CACHE": "off"}

    def child(what: str) -> dict:
        done = subprocess.run([sys.executable, __file__, "--one", what, "--repeat", str(args.repeat)],
                              capture_output=True, text=True, env=env)
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])

    report = {"cubes": child("cubes"), "worlds": [child(name) for name in WORLDS],
              "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if not args.skip_sensitivity:
        report["elasticity_all_icio2022"] = [sensitivity("serial"), sensitivity("local")]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
