"""Time one counterfactual solve on ossa2014 (7 x 33): tariffsim vs a plain numpy/SciPy implementation.

Prints JSON. The scenario is the US +25 points on Japanese motor vehicles (purged data, NX' = 0).
tariffsim's first solve includes JIT compilation, reported separately. The reference is the same
equations (MODEL_OSSA2014.md §3.3) in numpy, solved by scipy.optimize.root(method="hybr") from ones,
as the spec describes its Python measurement (~2 ms).

Usage: TARIFFSIM_DATA=../shared/data python benchmarks/solve_ossa.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np
import scipy.optimize

from tariffsim._jax import jax
from tariffsim.io import read_world
from tariffsim.models import Krugman
from tariffsim.policy import Policy
from tariffsim.purge import purge


def numpy_reference(world, new_tariffs):
    """The §3.3 system in plain numpy (levels of hats, fsolve-style), solved with hybr from ones."""
    X, t, sigma = world.trade, world.tariffs, world.sigma
    n = X.shape[0]
    E_js = ((1 + t) * X).sum(axis=0)
    gamma = (1 + t) * X / E_js
    E = E_js.sum(axis=1)
    R = X.sum(axis=1)
    profits = R / sigma
    wage_share = (sigma - 1) / sigma * R
    delta = wage_share / wage_share.sum(axis=1, keepdims=True)
    YL = wage_share.sum(axis=1)
    alpha = X / R[:, None, :]
    tau_hat = (1 + new_tariffs) / (1 + t)

    def residuals(x):
        w, Eh = x[:n], x[n:]
        Q = (gamma * (w[:, None, None] * tau_hat) ** (1 - sigma)).sum(axis=0)
        X_hat = w[:, None, None] ** (1 - sigma) * tau_hat ** (-sigma) * Eh[None, :, None] / Q[None]
        R_hat = (alpha * X_hat).sum(axis=1)
        labour = (delta * R_hat).sum(axis=1) - w
        revenue = np.einsum("ijs,ijs,ijs->j", new_tariffs, X, X_hat)
        budget = (YL * w + (profits * R_hat).sum(axis=1) + revenue) / E - Eh
        numeraire = (YL * w).sum() / YL.sum() - 1
        return np.concatenate([[numeraire], labour[1:], budget])

    return scipy.optimize.root(residuals, np.ones(2 * n), method="hybr")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    world = purge(read_world("ossa2014"))
    tariffs = world.tariffs.copy()
    tariffs[world.country_index("JPN"), world.country_index("USA"), world.sector_indices("mvh")] += 0.25
    policy = Policy(tariffs, "zero", "US +25pp on Japanese mvh")
    model = Krugman()
    calibration = model.calibrate(world)

    jax.clear_caches()  # the purge compiled the same shapes: time compilation afresh
    start = time.perf_counter()
    model.solve(calibration, policy)
    first_seconds = time.perf_counter() - start

    def timed(function):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        return result, times

    result, ours = timed(lambda: model.solve(calibration, policy))
    reference, theirs = timed(lambda: numpy_reference(world, tariffs))
    agreement = float(np.max(np.abs(np.concatenate([result.w_hat, result.E_hat]) - reference.x)))
    print(json.dumps({
        "benchmark": "solve_ossa2014",
        "world": "ossa2014 purged, 7 x 33",
        "scenario": policy.name,
        "repeat": args.repeat,
        "tariffsim": {
            "first_solve_including_compile_s": first_seconds,
            "solve_median_ms": 1e3 * statistics.median(ours),
            "solve_min_ms": 1e3 * min(ours),
            "newton_steps": result.steps,
            "max_residual": result.max_residual,
        },
        "numpy_scipy_hybr_reference": {
            "solve_median_ms": 1e3 * statistics.median(theirs),
            "solve_min_ms": 1e3 * min(theirs),
            "function_evaluations": int(reference.nfev),
            "max_residual": float(np.max(np.abs(reference.fun))),
        },
        "speedup_median": statistics.median(theirs) / statistics.median(ours),
        "max_abs_difference_in_hats": agreement,
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
    }, indent=2))


if __name__ == "__main__":
    main()
