"""The eight-set elasticity sweep of the icio2022 war (issue 13 item 4): the uniform Nash war of all 81
economies in the tariffwar convention (armington, tariff-inclusive flows, +US$1m domestic floor, purge
under each set, 100% cap) under CP, U4, IS, BSY, GYY, Shap, FGO and LL, serially and on a dask
LocalCluster of 2 single-threaded workers (``games.war_sensitivity.war_under_sets``).

Each scheduler runs in its own cold process (JAX's persistent compilation cache off:
TARIFFSIM_JAX_CACHE=off), so every compilation is paid: once in the serial process, once in each
worker. For each: the process's wall time; inside it, reading the cube, starting the cluster, the
sweep; each set's seconds (purge, calibration and verified war, measured where the set ran: the first
set on each process includes its compilation); Newton steps and the worst verification numbers; peak
memory (the largest sum of resident memory over the process and its children, sampled every 0.2 s, and
ru_maxrss of the process and of its largest child); the load average before, during (mean of samples)
and after. The largest difference between the serial and the cluster tariffs and welfare changes is
reported too (they are the same computation). Prints JSON.

Usage: python benchmarks/war_sweep.py [--workers 2] [--timeout 3600]
(needs TARIFFSIM_DATA with tariffwar/ICIO2022.mat, or the embedded icio2022)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from typing import Self


class Sampler:
    """Peak resident memory of this process tree and the mean 1-minute load, sampled in a thread."""

    def __init__(self, every: float = 0.2):
        import psutil

        self.process, self.every = psutil.Process(), every
        self.peak_mb, self.loads = 0.0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 2 ** 20)
            self.loads.append(os.getloadavg()[0])
            self._stop.wait(self.every)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_sweep(scheduler: str, workers: int) -> dict:
    """One sweep in this process: timings, verification and the numbers (for the serial/cluster check)."""
    from tariffsim.games.war_sensitivity import war_settings, war_under_sets
    from tariffsim.io import read_world
    from tariffsim.parallel import executor

    out: dict = {"scheduler": scheduler, "workers": workers if scheduler == "local" else None,
                 "load_before": os.getloadavg()[0]}
    with Sampler() as sampler:
        start = time.perf_counter()
        world = read_world("icio2022")
        out["read_seconds"] = round(time.perf_counter() - start, 3)
        start = time.perf_counter()
        with executor(scheduler, workers) as map_:
            out["cluster_start_seconds"] = round(time.perf_counter() - start, 3)
            start = time.perf_counter()
            sweep = war_under_sets(world, war_settings(convention="tariffwar"), map_=map_)
            out["sweep_seconds"] = round(time.perf_counter() - start, 3)
    facts = [war.verification for war in sweep.wars]
    out.update({
        "size": f"{world.n_countries} x {world.n_sectors}", "sets": list(sweep.sets),
        "set_seconds": {war.elasticity: round(war.seconds, 2) for war in sweep.wars},
        "newton_steps": {war.elasticity: war.verification["newton_steps"] for war in sweep.wars},
        "worst_equilibrium_residual": max(f["equilibrium_residual"] for f in facts),
        "worst_foc_residual": max(f["foc_residual"] for f in facts),
        "worst_best_response_gain": max(f["max_gain"] for f in facts),
        "usa": {c: round(float(sweep.summary.loc["USA", c]), 4) for c in
                ("tariff % median", "tariff % lowest", "tariff % highest", "welfare % median")},
        "peak_tree_rss_mb": round(sampler.peak_mb, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "max_rss_largest_child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "load_during_mean": round(sum(sampler.loads) / max(1, len(sampler.loads)), 2),
        "load_after": os.getloadavg()[0],
        "numbers": sweep.countries_long()[["elasticity", "country", "tariff %", "welfare %"]].to_dict("list"),
    })
    return out


def in_fresh_process(scheduler: str, workers: int, timeout: float) -> dict:
    env = {**os.environ, "TARIFFSIM_JAX_CACHE": "off"}
    command = [sys.executable, __file__, "--one", scheduler, "--workers", str(workers)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"scheduler": scheduler, "error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"scheduler": scheduler, "error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - start, 2)
    return result


def largest_difference(a: dict, b: dict) -> dict:
    """Largest |serial - cluster| of tariff % and welfare % over every set and country."""
    import numpy as np

    return {column: float(np.nanmax(np.abs(np.subtract(a[column], b[column])))) for column in ("tariff %", "welfare %")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--one", choices=("serial", "local"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_sweep(args.one, args.workers)))
        return
    runs = []
    for scheduler in ("serial", "local"):
        print(f"running the sweep: {scheduler} ...", file=sys.stderr, flush=True)
        runs.append(in_fresh_process(scheduler, args.workers, args.timeout))
    report = {"benchmark": "war_sweep", "world": "icio2022", "convention": "tariffwar", "mode": "uniform",
              "machine_cpus": os.cpu_count()}
    if all("numbers" in run for run in runs):
        report["serial_vs_cluster_max_abs_difference"] = largest_difference(runs[0]["numbers"], runs[1]["numbers"])
    report["runs"] = [{k: v for k, v in run.items() if k != "numbers"} for run in runs]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
