"""Caliendo-Parro NAFTA on cp2015 (31 x 40, input-output links): compile and solve times, as JSON.

Usage: TARIFFSIM_DATA=../shared/data python benchmarks/cp2015_nafta.py
Prints compile time (first calibration, which compiles the solver), solve time per NAFTA solve
after compilation (median of 5, wall clock and CPU time of this process), residuals and NAFTA welfare with both deficit treatments (the paper's
terms-of-trade and volume-of-trade parts, their sum, the exact change and the real wage, in percent),
and the US tariff on Japanese autos with and without input-output links.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from tariffsim.datasets import dataset_path
from tariffsim.io.cp2015 import read_cp2015, read_cp2015_tariffs
from tariffsim.models import CaliendoParro
from tariffsim.policy import Policy
from tariffsim.results import welfare_parts_table
from tariffsim.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cp2015"


def main() -> None:
    folder = dataset_path("cp2015")
    io_world, tariffs = read_cp2015(folder), read_cp2015_tariffs(folder)
    model = CaliendoParro()
    start = time.perf_counter()
    calibrations = {"data": model.calibrate(io_world)}
    compile_seconds = time.perf_counter() - start
    calibrations["zero"] = model.calibrate(model.balance(io_world))
    report = {"world": "cp2015 (31 countries x 40 sectors)", "compile_and_first_calibration_s": compile_seconds,
              "reconciliation_max_abs_w_hat_minus_1": calibrations["data"].reconciliation, "nafta": {}}
    for deficits, calibration in calibrations.items():
        times, cpu = [], []
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = model.solve(calibration, Policy(tariffs, name="NAFTA"))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        report["nafta"][deficits] = {
            "solve_s_median": statistics.median(times), "solve_s_all": times,
            "solve_cpu_s_median": statistics.median(cpu), "newton_steps": result.steps,
            "max_residual": result.max_residual,
            "welfare_pct": welfare_parts_table(result).loc[["Canada", "Mexico", "USA"]].to_dict("index"),
        }
    autos = load_scenario(EXAMPLES / "us_autos_japan.toml")
    report["us_autos_japan_welfare_pct"] = {}
    for label, links in (("with_io_links", True), ("without_io_links", False)):
        cp = CaliendoParro(io_links=links)
        calibration = cp.calibrate(io_world)
        result = cp.solve(calibration, autos.apply(calibration.world))
        report["us_autos_japan_welfare_pct"][label] = {
            c: 100 * (result.welfare_hat[calibration.world.country_index(c)] - 1) for c in ("USA", "Japan", "Canada", "Mexico", "Korea")}
    report["load_average_1min_at_end"] = os.getloadavg()[0]  # other processes share the 2 cores
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
