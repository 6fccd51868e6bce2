"""One 194-country solve of the ilms model (issue 15 item 1: aim <= 20 ms after compilation).

Runs in a fresh process with JAX's persistent compilation cache off (TARIFFSIM_JAX_CACHE=off, unless
--warm-cache), so the first solve includes a cold compilation. Cases: B1 (USTR tariffs, income-tax
relief), B8 (lump-sum rebate), B3 (Eaton-Kortum) and B6 (reciprocal retaliation), each solved once
cold (the first case only: compilation included) and then ``--repeat`` times; the median, min and max
of the repeats; Newton steps and the largest residual. BLAS on one thread (threadpoolctl), as the
project's other world-scale solves: the Newton step's LU on 388 unknowns runs ~30x slower on two
threads of a busy 2-core machine; ``--blas-threads default`` measures that too. Records the 1-minute
load average before and after (the machine is shared). Prints JSON.

Usage: python benchmarks/ilms_solve.py [--repeat 20] [--blas-threads 1|default] [--warm-cache]
(needs TARIFFSIM_DATA with ilms2025/)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time

CASES = ("B1", "B8", "B3", "B6")


def run(repeat: int, blas_threads: str) -> dict:
    from threadpoolctl import threadpool_limits

    from tariffsim.ilms_data import read_ilms_data
    from tariffsim.ilms_experiments import spec_experiment

    folder = os.path.join(os.environ.get("TARIFFSIM_DATA", "../shared/data"), "ilms2025")
    out: dict = {"benchmark": "ilms_solve", "countries": 194, "unknowns": 388, "blas_threads": blas_threads,
                 "load_before": os.getloadavg()[0], "cases": []}
    start = time.perf_counter()
    data = read_ilms_data(folder)
    out["read_seconds"] = round(time.perf_counter() - start, 3)
    limit = threadpool_limits(limits=1, user_api="blas") if blas_threads == "1" else contextlib.nullcontext()
    with limit:
        for k, name in enumerate(CASES):
            ex = spec_experiment(name, data)
            case: dict = {"experiment": name}
            if k == 0:
                start = time.perf_counter()
                ex.model.solve(ex.calibration, ex.policy)
                case["first_solve_including_compile_ms"] = round(1e3 * (time.perf_counter() - start), 1)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                e = ex.model.solve(ex.calibration, ex.policy)
                times.append(1e3 * (time.perf_counter() - start))
            case.update(solve_median_ms=round(statistics.median(times), 1), solve_min_ms=round(min(times), 1),
                        solve_max_ms=round(max(times), 1), newton_steps=e.steps, method=e.method,
                        max_residual=e.max_residual)
            out["cases"].append(case)
    out["load_after"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--blas-threads", choices=("1", "default"), default="1")
    parser.add_argument("--warm-cache", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.repeat, args.blas_threads)))
        return
    env = dict(os.environ)
    if not args.warm_cache:
        env["TARIFFSIM_JAX_CACHE"] = "off"
    done = subprocess.run([sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--blas-threads",
                           args.blas_threads], check=True, capture_output=True, text=True, env=env)
    print(json.dumps(json.loads(done.stdout.strip().splitlines()[-1]), indent=2))


if __name__ == "__main__":
    main()
