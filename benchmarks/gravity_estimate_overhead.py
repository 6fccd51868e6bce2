"""RTA regression with pair fixed effects (28k observations): tariffsim.gravity.estimate vs pyfixest.fepois.

Both run the same formula on the same prepared sample; best of 3 each (after one warm-up). Prints JSON.
Usage: python benchmarks/gravity_estimate_overhead.py [DATA_DIR]   (default ../shared/data)
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyfixest as pf

from tariffsim.gravity import GravityDesign, estimate

DESIGN = GravityDesign(covariates=("RTA",), fixed_effects="exporter-year+importer-year+pair", domestic=True,
                       border_by_year=True, years=(1986, 1990, 1994, 1998, 2002, 2006))


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    data = pd.read_stata(root / "yotov2016" / "Chapter2Application2.dta")
    sample = DESIGN.prepare(data).reset_index(drop=True)
    formula = DESIGN.formula(sample)
    warnings.simplefilter("ignore")  # pyfixest's separation/pandas notices; not part of the timing

    def direct():
        pf.fepois(formula, data=sample, vcov={"CRV1": "pair"})

    def layer():
        estimate(sample, formula)

    def layer_with_design():
        estimate(data, DESIGN)

    direct()
    layer()
    t_direct, t_layer, t_design = best_of(3, direct), best_of(3, layer), best_of(3, layer_with_design)
    result = estimate(sample, formula)
    print(json.dumps({
        "formula": formula,
        "observations": result.nobs,
        "fixed_effects": int(sample[["exp_year", "imp_year", "pair"]].nunique().sum()),
        "pyfixest_seconds": t_direct,
        "tariffsim_estimate_seconds": t_layer,
        "tariffsim_overhead_percent": 100 * (t_layer / t_direct - 1),
        "tariffsim_with_design_preparation_seconds": t_design,
    }, indent=2))


if __name__ == "__main__":
    main()
