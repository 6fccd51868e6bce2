"""Solve time and peak memory on synthetic worlds of growing size (countries x sectors).

Each size runs in its own process so that peak memory (max resident set size) belongs to that size.
Prints JSON: per size, the first solve (includes JIT compilation), the median of later solves of
different shocks, Newton steps and the largest residual.

Usage: python benchmarks/solve_scaling.py [--sizes 50x50,100x65,200x65] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def run_one(n: int, s: int, repeat: int) -> dict:
    import numpy as np

    from tariffsim.models import Krugman
    from tariffsim.policy import Policy
    from tariffsim.synthetic import random_world

    world = random_world(n, s, seed=1)
    model = Krugman()
    start = time.perf_counter()
    calibration = model.calibrate(world)
    calibrate_seconds = time.perf_counter() - start

    def shock(k: int) -> Policy:
        tariffs = world.tariffs.copy()
        tariffs[:, k, :] += 0.25  # country k raises all its tariffs by 25 points
        tariffs[k, k, :] = 0.0
        return Policy(tariffs, name=f"C{k:03d} +25pp")

    start = time.perf_counter()
    model.solve(calibration, shock(0))
    first_seconds = time.perf_counter() - start
    times, steps, residuals = [], [], []
    for k in range(1, repeat + 1):
        start = time.perf_counter()
        result = model.solve(calibration, shock(k))
        times.append(time.perf_counter() - start)
        steps.append(result.steps)
        residuals.append(result.max_residual)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"countries": n, "sectors": s, "calibrate_s": calibrate_seconds,
            "first_solve_including_compile_s": first_seconds, "solve_median_s": statistics.median(times),
            "solve_max_s": max(times), "newton_steps": steps, "max_residual": max(residuals),
            "peak_rss_mb": peak_mb, "unknowns": 2 * n, "flows": n * n * s,
            "numpy_arrays_mb": 3 * n * n * s * 8 / 2**20, "check": bool(np.isfinite(max(residuals)))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50x50,100x65,200x65")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        n, s = map(int, args.one.split("x"))
        print(json.dumps(run_one(n, s, args.repeat)))
        return
    results = []
    for size in args.sizes.split(","):
        out = subprocess.run([sys.executable, __file__, "--one", size, "--repeat", str(args.repeat)],
                             check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "solve_scaling", "model": "krugman", "results": results}, indent=2))


if __name__ == "__main__":
    main()
