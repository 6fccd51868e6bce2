"""One-sector structural gravity general equilibrium: baseline MRs, conditional and full-endowment GE.

``counterfactual(economy, T_new, kind=..., reference=...)`` returns a ``GEResult`` whose GE equations
have been checked in levels (``equilibrium_residual``); a residual above ``tol`` raises ConvergenceError.

Normalisation: the inward multilateral resistance of ``reference`` is 1 in the baseline and in the
counterfactual (Yotov et al. 2016; gegravity's ``reference_importer``). Real outcomes (real GDP,
trade shares, relative prices) do not depend on the choice; nominal ones move by one common factor.

Full endowment GE: endowments Q_i fixed, factory-gate prices p_i adjust, Y_i = p_i Q_i; expenditure
follows ``imbalance`` (see ``_equations.expenditure``). Solved by Newton on ln p_hat from p_hat = 1.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.gravity._equations import (
    expenditure,
    logsumexp,
    log_mr_jacobian,
    log_mr_residual,
    market_clearing_residual,
)
from tariffsim.gravity._newton import SolverConfig, newton
from tariffsim.gravity.economy import GravityEconomy

Kind = Literal["conditional", "full"]
Imbalance = Literal["multiplicative", "additive"]


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """Levels of one equilibrium (baseline or counterfactual), arrays of shape (N,) or (N, N).

    X bilateral flows; Y output; E expenditure; p factory-gate prices (baseline = 1);
    Pi, P outward and inward multilateral resistances (P[reference] = 1).
    """

    X: np.ndarray
    Y: np.ndarray
    E: np.ndarray
    p: np.ndarray
    Pi: np.ndarray
    P: np.ndarray


def solve_mrs(T: np.ndarray, Y: np.ndarray, E: np.ndarray, sigma: float, reference: int,
              config: SolverConfig = SolverConfig()) -> tuple[np.ndarray, np.ndarray, float]:
    """Multilateral resistances (2-5), (2-6) given T, Y, E: returns (Pi, P, max_residual), P[reference] = 1.

    Unknowns are a = ln Pi^(1-sigma) and b = ln P^(1-sigma) without b[reference] (= 0); the equation
    for b[reference] is implied by the others when sum Y = sum E and is checked afterwards.
    """
    n = Y.size
    world = Y.sum()
    y, e = Y / world, E / world
    with np.errstate(divide="ignore"):
        logT = np.log(T)
    keep_eq = np.r_[np.arange(n), n + np.delete(np.arange(n), reference)]

    def unpack(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return z[:n], np.insert(z[n:], reference, 0.0)

    def fun(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = unpack(z)
        return log_mr_residual(a, b, logT, y, e)[keep_eq], log_mr_jacobian(a, b, logT, y, e)[np.ix_(keep_eq, keep_eq)]

    a0, b0 = _sinkhorn_start(logT, y, e, reference)
    z, _ = newton(fun, np.r_[a0, np.delete(b0, reference)], "multilateral resistances", config)
    a, b = unpack(z)
    full = float(np.max(np.abs(log_mr_residual(a, b, logT, y, e))))
    return np.exp(a / (1 - sigma)), np.exp(b / (1 - sigma)), full


def _sinkhorn_start(logT: np.ndarray, y: np.ndarray, e: np.ndarray, reference: int,
                    sweeps: int = 500, target: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Start for Newton: alternate the two MR equations (log-domain matrix balancing, which converges
    for any connected T) until the residual is below ``target``; Newton then converges quadratically."""
    a, b = np.zeros(y.size), np.zeros(y.size)
    for _ in range(sweeps):
        a = logsumexp(logT + np.log(e)[None, :] - b[None, :], axis=1)
        b = logsumexp(logT + np.log(y)[:, None] - a[:, None], axis=0)
        a, b = a + b[reference], b - b[reference]
        if np.max(np.abs(log_mr_residual(a, b, logT, y, e))) < target:
            break
    return a, b


def gravity_flows(T: np.ndarray, Y: np.ndarray, E: np.ndarray, Pi: np.ndarray, P: np.ndarray, sigma: float) -> np.ndarray:
    """Structural gravity (2-4): X_ij = Y_i E_j / Y_w * T_ij / (Pi_i P_j)^(1-sigma), shape (N, N)."""
    return np.outer(Y, E) / Y.sum() * T / np.outer(Pi ** (1 - sigma), P ** (1 - sigma))


def baseline(economy: GravityEconomy, reference: str, config: SolverConfig = SolverConfig()) -> Equilibrium:
    """The baseline equilibrium: MRs solved from T, Y, E; flows are the model's (fitted) flows."""
    ref = economy.index(reference)
    Pi, P, _ = solve_mrs(economy.T, economy.Y, economy.E, economy.sigma, ref, config)
    X = gravity_flows(economy.T, economy.Y, economy.E, Pi, P, economy.sigma)
    return Equilibrium(X=X, Y=economy.Y, E=economy.E, p=np.ones_like(economy.Y), Pi=Pi, P=P)


def mrs_from_fixed_effects(
    economy: GravityEconomy, exporter_fe: pd.Series, importer_fe: pd.Series, reference: str
) -> tuple[np.ndarray, np.ndarray]:
    """GEPPML (Yotov et al. 2016, eqs. 2-38, 2-39; Fally 2015): MRs read off PPML fixed effects.

    With fitted flows exp(fe_i + fe_j) * T_ij from a cross-section PPML with exporter and importer
    fixed effects (and the same T): P_j^(1-sigma) = E_j / (E_R exp(fe_j - fe_R)) and
    Pi_i^(1-sigma) = Y_i E_R / (Y_w exp(fe_i + fe_R)). Returns (Pi, P), shape (N,) each.
    """
    names = list(economy.countries)
    fe_x = exporter_fe.reindex(names).to_numpy(float)
    fe_m = importer_fe.reindex(names).to_numpy(float)
    if np.isnan(fe_x).any() or np.isnan(fe_m).any():
        missing = [c for c, a, b in zip(names, fe_x, fe_m, strict=True) if np.isnan(a) or np.isnan(b)]
        raise DataValidationError(f"no estimated fixed effect for {missing}: estimate on the same countries")
    r = economy.index(reference)
    s = economy.sigma
    P = (economy.E / (economy.E[r] * np.exp(fe_m - fe_m[r]))) ** (1 / (1 - s))
    Pi = (economy.Y * economy.E[r] / (economy.Y.sum() * np.exp(fe_x + fe_m[r]))) ** (1 / (1 - s))
    return Pi, P


def equilibrium_residual(
    eq: Equilibrium, T: np.ndarray, sigma: float, reference: int, base: Equilibrium | None = None
) -> float:
    """Max relative violation of the GE equations in levels: gravity (2-4), MRs (2-5, 2-6), market
    clearing (sum_j X_ij = Y_i), budgets (sum_i X_ij = E_j), the normalisation P[reference] = 1 and,
    given the ``base`` equilibrium (full endowment GE), the factory-gate price equation
    Y_i / Y_w = (gamma_i p_i Pi_i)^(1-sigma) with gamma calibrated to ``base`` (p = 1 there)."""
    world = eq.Y.sum()
    checks = [
        eq.X / gravity_flows(T, eq.Y, eq.E, eq.Pi, eq.P, sigma) - 1,
        (T * eq.E[None, :] / world / eq.P[None, :] ** (1 - sigma)).sum(axis=1) / eq.Pi ** (1 - sigma) - 1,
        (T * eq.Y[:, None] / world / eq.Pi[:, None] ** (1 - sigma)).sum(axis=0) / eq.P ** (1 - sigma) - 1,
        eq.X.sum(axis=1) / eq.Y - 1,
        eq.X.sum(axis=0) / eq.E - 1,
        np.array([eq.P[reference] - 1]),
    ]
    if base is not None:
        gamma = base.Y / base.Y.sum() / base.Pi ** (1 - sigma)  # gamma_i^(1-sigma)
        checks.append((eq.Y / world) / (gamma * (eq.p * eq.Pi) ** (1 - sigma)) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return max(float(np.max(np.abs(np.where(T > 0, c, 0.0) if c.ndim == 2 else c))) for c in checks)


@dataclass(frozen=True, eq=False)
class GEResult:
    """Baseline and counterfactual equilibria of one experiment, verified to ``max_residual``."""

    countries: tuple[str, ...]
    kind: Kind
    imbalance: Imbalance
    reference: str
    sigma: float
    baseline: Equilibrium
    counterfactual: Equilibrium
    max_residual: float
    steps: int

    def country_table(self) -> pd.DataFrame:
        """One row per country and variable: baseline, counterfactual, change_percent.

        Variables: exports/imports (foreign flows), domestic_trade, output, expenditure,
        factory_gate_price, outward_mr, inward_mr, real_gdp (Y/P), welfare (real expenditure E/P).
        """
        frames = []
        for name, f in _COUNTRY_VARIABLES.items():
            b, c = f(self.baseline), f(self.counterfactual)
            frames.append(pd.DataFrame({"country": self.countries, "variable": name, "baseline": b,
                                        "counterfactual": c, "change_percent": 100 * (c / b - 1)}))
        return pd.concat(frames, ignore_index=True)

    def change_percent(self) -> np.ndarray:
        """Percent change (counterfactual / baseline - 1) * 100 of every country variable, shape
        (len(VARIABLES), N): rows in ``VARIABLES`` order, columns in ``countries`` order."""
        return np.stack([100 * (f(self.counterfactual) / f(self.baseline) - 1) for f in _COUNTRY_VARIABLES.values()])

    def to_frame(self) -> pd.DataFrame:
        """The canonical long table: country, variable, scenario (baseline/counterfactual/change_percent), value."""
        wide = self.country_table()
        return wide.melt(id_vars=["country", "variable"], var_name="scenario", value_name="value")

    def bilateral(self) -> pd.DataFrame:
        """Bilateral flows: exporter, importer, baseline, counterfactual, change_percent (N*N rows)."""
        n = len(self.countries)
        b, c = self.baseline.X.ravel(), self.counterfactual.X.ravel()
        return pd.DataFrame({"exporter": np.repeat(self.countries, n), "importer": np.tile(self.countries, n),
                             "baseline": b, "counterfactual": c, "change_percent": 100 * (c / b - 1)})

    def summary(self, variables: tuple[str, ...] = ("real_gdp", "factory_gate_price", "exports", "inward_mr")) -> str:
        """Percent changes by country for a few variables, as a rich text table."""
        from tariffsim.gravity.tables import render

        wide = self.country_table().pivot(index="country", columns="variable", values="change_percent")
        table = wide[list(variables)].map(lambda v: f"{v:.3f}")
        title = f"{self.kind} GE, % change (reference {self.reference}, residual {self.max_residual:.1e})"
        buffer = io.StringIO()
        buffer.write(render(table, title))
        return buffer.getvalue()


def _foreign(X: np.ndarray, axis: int) -> np.ndarray:
    return X.sum(axis=axis) - np.diag(X)


_COUNTRY_VARIABLES = {
    "exports": lambda q: _foreign(q.X, 1),
    "imports": lambda q: _foreign(q.X, 0),
    "domestic_trade": lambda q: np.diag(q.X).copy(),
    "output": lambda q: q.Y,
    "expenditure": lambda q: q.E,
    "factory_gate_price": lambda q: q.p,
    "outward_mr": lambda q: q.Pi,
    "inward_mr": lambda q: q.P,
    "real_gdp": lambda q: q.Y / q.P,
    "welfare": lambda q: q.E / q.P,
}
VARIABLES = tuple(_COUNTRY_VARIABLES)  # country variables of ``GEResult.country_table``, in order


def counterfactual(
    economy: GravityEconomy,
    T_new: np.ndarray,
    *,
    reference: str,
    kind: Kind = "full",
    imbalance: Imbalance = "multiplicative",
    tol: float = 1e-10,
    config: SolverConfig = SolverConfig(),
) -> GEResult:
    """Solve the model with trade costs ``T_new`` (t'^(1-sigma), shape (N, N)) instead of ``economy.T``.

    kind       ``"conditional"``: Y and E fixed, only MRs adjust; ``"full"``: factory-gate prices too
    imbalance  how expenditure follows output in the full GE (``multiplicative`` or ``additive``)
    tol        max relative residual of the GE equations in levels accepted for both equilibria
    """
    if kind not in get_args(Kind):
        raise DataValidationError(f"kind={kind!r} is not one of {get_args(Kind)}")
    if imbalance not in get_args(Imbalance):
        raise DataValidationError(f"imbalance={imbalance!r} is not one of {get_args(Imbalance)}")
    shocked = GravityEconomy(economy.countries, np.asarray(T_new, dtype=float), economy.Y, economy.E, economy.sigma)
    ref, s = economy.index(reference), economy.sigma
    base = baseline(economy, reference, config)
    steps = 0
    if kind == "conditional":
        Y_new, E_new, p = economy.Y, economy.E, np.ones_like(economy.Y)
    else:
        T_hat = np.divide(shocked.T, economy.T, out=np.ones_like(economy.T), where=economy.T > 0)
        u, report = newton(lambda v: market_clearing_residual(v, base.X, T_hat, s, imbalance, ref),
                           np.zeros(economy.Y.size), "full-endowment GE (factory-gate prices)", config)
        steps = report.steps
        p = np.exp(u)
        Y_new = economy.Y * p
        E_new, _ = expenditure(Y_new, economy.Y, economy.E, imbalance)
    Pi, P, _ = solve_mrs(shocked.T, Y_new, E_new, s, ref, config)
    X_new = gravity_flows(shocked.T, Y_new, E_new, Pi, P, s)
    cf = Equilibrium(X=X_new, Y=Y_new, E=E_new, p=p, Pi=Pi, P=P)
    residual = max(equilibrium_residual(base, economy.T, s, ref),
                   equilibrium_residual(cf, shocked.T, s, ref, base if kind == "full" else None))
    if not residual <= tol:
        raise ConvergenceError(
            f"{kind} GE for reference {reference}: GE equations violated by {residual:.3g} (tolerance {tol:g}) "
            "after the solver stopped; the problem is badly conditioned (extreme trade costs?). Try a tighter "
            "SolverConfig(atol=...) or check the trade-cost matrix."
        )
    return GEResult(economy.countries, kind, imbalance, reference, s, base, cf, residual, steps)
