"""Nash tariff wars on ossa2014 (7 x 33, purged, NX' = 0): serial vs a dask LocalCluster.

Prints JSON: for MFN and discriminatory (non-MFN) wars among all seven regions, the wall time,
rounds, equilibrium solves and government-welfare changes of a serial run and of a run whose Jacobi
best responses go to a LocalCluster (``tariffsim.parallel.executor("local", workers)``), plus the
largest difference between the two Nash tariff cubes (zero: same results either way). The cluster's
time includes starting it and compiling JAX functions in each worker process; the serial run is
timed after one warm-up solve in this process (compilation excluded), so the comparison favours the
serial run. Runs use no cache.

Usage: TARIFFSIM_DATA=../shared/data python benchmarks/nash_parallel.py [--workers 2] [--only mfn|nonmfn]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from tariffsim.games import nash_tariffs, optimal_tariffs
from tariffsim.io import read_world
from tariffsim.models import Krugman
from tariffsim.parallel import executor
from tariffsim.purge import purge


def war(calibration, mfn: bool, scheduler: str, workers: int) -> dict:
    """One Nash run (timed, including the cluster's start-up) and its facts."""
    clock = time.perf_counter()
    with executor(scheduler, workers) as map_:
        started = time.perf_counter() - clock
        result = nash_tariffs(calibration, mfn=mfn, net_exports="zero", map_=map_)
    return {"scheduler": scheduler, "seconds": time.perf_counter() - clock, "cluster_start_seconds": started,
            "rounds": len(result.rounds), "solves": result.solves, "max_gain": result.max_gain,
            "kkt_residual": result.kkt_residual, "round_seconds": [r.seconds for r in result.rounds],
            "government_welfare_pct": dict(zip(result.players, np.round(100 * (result.government_welfare_hat - 1),
                                                                        4).tolist())),
            "tariffs": result.tariffs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["mfn", "nonmfn"])
    args = parser.parse_args()
    folder = os.path.join(os.environ.get("TARIFFSIM_DATA", "../shared/data"), "ossa2014")
    calibration = Krugman().calibrate(purge(read_world(folder)))
    clock = time.perf_counter()
    optimal_tariffs(calibration, "USA", mfn=True, net_exports="zero")  # compile in this process
    warm_up = time.perf_counter() - clock
    report = {"benchmark": "nash_parallel", "data": "ossa2014 purged, net_exports=zero", "cpu_count": os.cpu_count(),
              "python": platform.python_version(), "workers": args.workers, "warm_up_seconds": warm_up, "wars": {}}
    for label, mfn in (("mfn", True), ("nonmfn", False)):
        if args.only not in (None, label):
            continue
        serial = war(calibration, mfn, "serial", args.workers)
        local = war(calibration, mfn, "local", args.workers)
        difference = float(np.max(np.abs(serial.pop("tariffs") - local.pop("tariffs"))))
        report["wars"][label] = {"serial": serial, "local": local, "max_tariff_difference": difference,
                                 "speedup": serial["seconds"] / local["seconds"]}
        print(json.dumps({label: report["wars"][label]}), flush=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
