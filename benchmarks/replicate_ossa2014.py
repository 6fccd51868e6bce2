"""Wall time of the Ossa (2014) replication, stage by stage: the main version (default) or all five.

Prints JSON (and each finished piece on stderr): seconds per stage and per version, the whole run (pipeline plus tables and files), the
worst solver residuals and the machine. Writes the replication's files to --out (default: a temporary
folder, removed afterwards).

Versions run one after another by default; ``--scheduler local`` runs them on a dask LocalCluster of
``--workers`` processes (one version whole on a worker, as ``tariffsim replicate`` does by default), or
``--scheduler ADDRESS`` on an existing cluster. Stage progress is then relayed from the workers.

The political-economy weights are the paper's (``--weights paper``, its heuristic, the default of
``tariffsim replicate``) or the exact calibration (``--weights exact``).

Usage: python benchmarks/replicate_ossa2014.py [--data ../shared/data/ossa2014] [--all] [--out DIR]
           [--scheduler serial|local|ADDRESS] [--workers 2] [--weights paper|exact]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from tariffsim.parallel import executor, relayed
from tariffsim.replication.ossa2014_output import worst_residuals, write_replication
from tariffsim.replication.ossa2014_pipeline import TABLES, VERSIONS, WEIGHTS_METHODS, replicate

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "ossa2014"))
    parser.add_argument("--all", action="store_true", help="all five versions (default: main only)")
    parser.add_argument("--out", default=None, help="keep the replication's files here")
    parser.add_argument("--scheduler", default="serial", help="serial (default), local or a dask address")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--weights", default="paper", choices=sorted(WEIGHTS_METHODS),
                        help="lambda calibration: paper (default) or exact")
    args = parser.parse_args()
    versions = VERSIONS if args.all else ("main",)
    clock = time.perf_counter()

    def log(version: str, done: str, cost: float) -> None:
        print(f"{time.perf_counter() - clock:8.1f} s  {version}: {done}", file=sys.stderr, flush=True)

    with executor(args.scheduler, args.workers) as versions_map, relayed(versions_map, log) as report:
        runs = replicate(args.data, versions, tables=TABLES, calibrate=args.weights, versions_map=versions_map,
                         report=report)
    pipeline = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(args.out) if args.out else Path(scratch) / "replication"
        write_replication(runs, TABLES, out, data=args.data, seconds=pipeline, weights=args.weights)
    total = time.perf_counter() - clock
    print(json.dumps({
        "versions": list(versions), "weights": args.weights, "scheduler": args.scheduler,
        "workers": args.workers if args.scheduler == "local" else None, "seconds_total": total, "seconds_pipeline": pipeline,
        "seconds_tables_and_files": total - pipeline,
        "stages": {run.version: run.seconds for run in runs}, "worst": worst_residuals(runs),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }, indent=2))


if __name__ == "__main__":
    main()
