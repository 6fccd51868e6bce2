"""Run the same experiment through gegravity (test/benchmark dependency) and read its results back.

Definitional differences found (gegravity 0.3, OneSectorGE, measured on the book's experiments):

* Baseline and conditional multilateral resistances: same model, same normalisation (inward MR of
  the reference importer = 1). They agree with ``ge.baseline`` / ``kind="conditional"`` to ~1e-9
  when gegravity converges -- which needs a hand-picked ``omr_rescale`` (on trade without borders,
  1, 10 and 100 fail with negative MRs, 0.01 and 0.1 stop unconverged; 1e3, 1e4 and 1e5 converge).
* "Full GE": gegravity solves its MR equations with *baseline* output and expenditure shares, so its
  counterfactual MRs are the conditional ones, and its factory-gate prices are one step of the
  GEPPML iteration, p_i = Pi_i(baseline) / Pi_i(conditional). Output and expenditure then move
  with p, but flows are not re-solved: markets do not clear (sum_j X'_ij != Y'_i, by ~8% on trade
  without borders). ``ge.counterfactual(kind="full")`` iterates to the fixed point (the book's
  full-endowment equilibrium), where they do. ``one_step_prices`` reproduces gegravity's definition.
* Its price equation constrains p^(1-sigma) only: with sigma = 7 (1 - sigma even) scipy's "converged"
  answer on trade without borders has negative factory-gate prices for 3 of 69 countries (-p).
* Imbalances: gegravity keeps E'_j = phi_j Y'_j without restoring world balance; tariffsim rescales
  phi by one common factor (or uses additive deficits in world-output units).

Solver budget (why ``run_gegravity`` passes ``mr_max_iter`` / ``ge_max_iter``): gegravity solves with
scipy's ``hybr`` and a fixed ``maxfev`` (1400 for the MRs, 1000 for the full GE). ``hybr`` builds its
Jacobian by forward differences, N + 1 calls each, and the full GE of 69 countries has N = 3*69 - 1 = 206
unknowns: 1000 calls are under 5 Jacobians. On trade without borders the full GE converges in 862 calls
or in 1066 depending on the last bits of Y: moving some Y_i by one or two ulps flips it, with any pandas.
pandas 3.1 happens to flip it: its groupby sum/mean over sorted groups now uses ``np.add.reduceat``
(``_reduceat_aggregate`` in pandas/core/groupby/ops.py) instead of the compensated Cython kernel, which
moves Y (the per-exporter sum in ``economy_from_data``) and gegravity's own per-exporter mean of Y by an
ulp. So with gegravity's budget its full GE stopped at "maxfev = 1000" for omr_rescale 1e3, 1e4 and 1e5
with pandas 3.1 and converged with pandas 3.0. We give both solves MINPACK's own default budget,
200 * (N + 1) calls (what scipy uses when maxfev is 0); gegravity's tolerance (1e-8) is unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.gravity.economy import GravityEconomy


def solver_budgets(n: int) -> dict[str, int]:
    """``hybr`` call budgets for n countries: MINPACK's default 200 * (N + 1), N the number of unknowns
    (MRs: 2n - 1; full GE: 3n - 1), instead of gegravity's fixed 1400 / 1000 (see the module docstring)."""
    return {"mr_max_iter": 200 * 2 * n, "ge_max_iter": 200 * 3 * n}


def run_gegravity(economy: GravityEconomy, T_new: np.ndarray, reference: str, omr_rescale: float) -> Any:
    """Solve with gegravity.OneSectorGE, T entering as one cost variable ``lnT`` with coefficient 1.

    Returns the simulated model; its convergence facts are in ``model.solver_diagnostics``.
    gegravity's own warnings (unconverged solver, pandas deprecations) are captured into
    ``model.tariffsim_warnings`` rather than raised. Both solves get ``solver_budgets`` calls.
    """
    import gegravity as gg

    n = len(economy.countries)
    budgets = solver_budgets(n)
    rows = pd.DataFrame({
        "exporter": np.repeat(economy.countries, n), "importer": np.tile(economy.countries, n), "year": "2006",
        "trade": 1.0, "lnT": np.log(economy.T).ravel(),
        "Y": np.repeat(economy.Y, n), "E": np.tile(economy.E, n),
    })
    baseline = gg.BaselineData(rows, trade_var_name="trade", expend_var_name="E", output_var_name="Y")
    coefficients = gg.CostCoeffs(pd.DataFrame({"var": ["lnT"], "coeff": [1.0], "ste": [0.0]}),
                                 identifier_col="var", coeff_col="coeff", stderr_col="ste")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = gg.OneSectorGE(baseline, year="2006", reference_importer=reference, sigma=economy.sigma,
                               cost_variables=["lnT"], cost_coeff_values=coefficients, quiet=True)
        model.build_baseline(omr_rescale=omr_rescale, mr_max_iter=budgets["mr_max_iter"])
        experiment = model.baseline_data.copy()
        experiment["lnT"] = np.log(T_new).ravel()
        model.define_experiment(experiment)
        model.simulate(ge_max_iter=budgets["ge_max_iter"])
    model.tariffsim_warnings = [str(w.message) for w in caught if "inplace" not in str(w.message)]
    return model


def converged(model: Any) -> bool:
    """True when all three of gegravity's scipy.root calls report success."""
    return all(diag.success for diag in model.solver_diagnostics.values())


def gegravity_results(model: Any, countries: tuple[str, ...]) -> dict[str, np.ndarray]:
    """gegravity's MRs (baseline, conditional, experiment) and prices as arrays in ``countries`` order."""
    mr = model.country_mr_terms.reindex(list(countries))
    prices = 1 + model.country_results["factory gate price change (percent)"].reindex(list(countries)) / 100
    out = {col.replace(" ", "_"): mr[col].to_numpy(float) for col in mr.columns}
    out["price"] = prices.to_numpy(float)
    return out


def one_step_prices(Pi_baseline: np.ndarray, Pi_conditional: np.ndarray) -> np.ndarray:
    """gegravity's "full GE" factory-gate prices: p_i = Pi_i / Pi_i', Pi' the conditional outward MR."""
    return Pi_baseline / Pi_conditional
