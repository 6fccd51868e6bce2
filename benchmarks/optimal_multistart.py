"""How unique are the discriminatory optimal tariffs on ossa2014? Multi-start spread, BAS and POL.

For every region, its discriminatory optimum (198 tariffs) on the purged main world is searched from
the default start (the MFN optimum) and from ``--starts - 1`` random starts in [0, 1]. Prints JSON per
problem: the best gain, the spread of log G_hat across starts, how far the default start falls short
of the best (0 = it found the best), the KKT residual, equilibrium solves and seconds. POL uses the
published lambda (``$TARIFFSIM_REFERENCE/ossa2014/lambda_pol.csv``) so the figures match Table 3b.

Usage: TARIFFSIM_DATA=../shared/data TARIFFSIM_REFERENCE=../shared/reference \\
       python benchmarks/optimal_multistart.py [--starts 6] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from tariffsim.games import optimal_tariffs
from tariffsim.models import Krugman
from tariffsim.replication.ossa2014_pipeline import NET_EXPORTS, purged_world

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = Path(os.environ.get("TARIFFSIM_DATA", REPO.parent / "shared" / "data"))
    reference = Path(os.environ.get("TARIFFSIM_REFERENCE", REPO.parent / "shared" / "reference"))
    world = purged_world(data / "ossa2014", "main")[0]
    calibration = Krugman().calibrate(world)
    published_lambda = np.loadtxt(reference / "ossa2014" / "lambda_pol.csv", delimiter=",")
    problems = {}
    for panel, weights in (("BAS", None), ("POL", published_lambda)):
        for country in world.countries:
            clock = time.perf_counter()
            optimum = optimal_tariffs(calibration, country, weights=weights, starts=args.starts, seed=args.seed,
                                      net_exports=NET_EXPORTS)
            values = np.array(optimum.start_values)
            problems[f"{panel} {country}"] = {
                "gain_pct": optimum.gain_pct, "spread_log_g": float(values.max() - values.min()),
                "default_start_short_by": float(values.max() - values[0]), "kkt_residual": optimum.kkt_residual,
                "solves": optimum.solves, "seconds": time.perf_counter() - clock,
            }
    print(json.dumps({"starts": args.starts, "seed": args.seed, "problems": problems,
                      "largest_spread": max(p["spread_log_g"] for p in problems.values()),
                      "largest_default_shortfall": max(p["default_start_short_by"] for p in problems.values())},
                     indent=2))


if __name__ == "__main__":
    main()
