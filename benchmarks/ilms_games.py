"""The paper's closed-form optimal tariffs against the game engine's optima on the ilms model (issue 15
item 2): ``tariffsim.ilms_games.comparison`` on ilms2025 (B4, B5, B6, B7; one sector, income-tax relief),
timed, with the markdown table of the rows.

Prints JSON: ``rows`` (experiment, source, US tariff %, US welfare %, non-US spending-weighted mean
welfare %, retaliation mean/min/max %), ``markdown`` (the same as a table), ``seconds`` and the 1-minute
load average before and after (the machine is shared). BLAS on one thread, as the project's other
world-scale games. ``--quick`` leaves out the two slowest rows (the per-partner US optimum and the
186-player Nash retaliation).

Usage: python benchmarks/ilms_games.py [--quick]   (needs TARIFFSIM_DATA with ilms2025/)
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    from threadpoolctl import threadpool_limits

    from tariffsim.ilms_data import read_ilms_data
    from tariffsim.ilms_games import comparison, markdown

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    folder = os.path.join(os.environ.get("TARIFFSIM_DATA", "../shared/data"), "ilms2025")
    out: dict = {"benchmark": "ilms_games", "load_before": os.getloadavg()[0]}
    clock = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        rows = comparison(read_ilms_data(folder), nash=not args.quick, by_partner=not args.quick)
    out |= {"seconds": round(time.perf_counter() - clock, 1), "load_after": os.getloadavg()[0], "rows": rows,
            "markdown": markdown(rows)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
