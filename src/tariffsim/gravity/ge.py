"""General-equilibrium experiments on an estimated gravity economy, solved by the ``gravity_ge`` model.

``counterfactual(economy, T_new, kind=..., reference=...)`` builds the baseline ``World`` of the
economy (the model's fitted flows from T, Y, E and the baseline multilateral resistances), turns the
new trade costs into a ``Policy`` (iceberg-cost changes d_hat = (T_new / T)^(1/(1-sigma)) per pair)
and calls ``tariffsim.solve.solve(GravityGE(...), calibration, policy)``. The result, a ``GEResult``,
holds the baseline levels and the one ``tariffsim.equilibrium.Equilibrium``; its long table and JSON
are those of every model (``tariffsim.results``).

Normalisation: the inward multilateral resistance of ``reference`` is 1 in the baseline and in the
counterfactual (Yotov et al. 2016; gegravity's ``reference_importer``). Real outcomes (real GDP,
trade shares, relative prices) do not depend on the choice; nominal ones move by one common factor.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.gravity.economy import GravityEconomy
from tariffsim.models.gravity_ge import (
    CHANGE_VARIABLES,
    GravityGE,
    Imbalance,
    Kind,
    gravity_flows,
    multilateral_resistances,
)
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig, solve
from tariffsim.world import World

SECTOR = "total"  # the one sector of a gravity world
VARIABLES = tuple(v.name for v in CHANGE_VARIABLES)  # percent-change country variables, in ``change_percent`` order


@dataclass(frozen=True, eq=False)
class Levels:
    """Levels of the baseline, or of a counterfactual (baseline levels times the equilibrium's hats):
    X bilateral flows (N, N); Y output; E expenditure; p factory-gate prices (baseline = 1);
    Pi, P outward and inward multilateral resistances (P[reference] = 1), all (N,)."""

    X: np.ndarray
    Y: np.ndarray
    E: np.ndarray
    p: np.ndarray
    Pi: np.ndarray
    P: np.ndarray


def baseline(economy: GravityEconomy, reference: str, config: SolverConfig | None = None) -> Levels:
    """The baseline: MRs solved from T, Y, E; flows are the model's (fitted) flows."""
    Pi, P, _ = multilateral_resistances(economy.T, economy.Y, economy.E, economy.sigma, economy.index(reference),
                                        config)
    X = gravity_flows(economy.T, economy.Y, economy.E, Pi, P, economy.sigma)
    return Levels(X=X, Y=economy.Y, E=economy.E, p=np.ones_like(economy.Y), Pi=Pi, P=P)


def world(economy: GravityEconomy, levels: Levels, label: str = "gravity baseline") -> World:
    """The one-sector ``World`` of the baseline: flows ``levels.X``, no tariffs, sigma of the economy."""
    n = len(economy.countries)
    return World(economy.countries, (SECTOR,), levels.X[:, :, None], np.zeros((n, n, 1)), [economy.sigma],
                 label=label)


def trade_cost_policy(economy: GravityEconomy, T_new: np.ndarray, name: str = "trade-cost change") -> Policy:
    """The ``Policy`` of new trade costs T_new = t'^(1-sigma): d_hat = (T_new / T)^(1/(1-sigma)) where T > 0
    (1 where T = 0: no trade either way)."""
    T = economy.T
    T_hat = np.divide(T_new, T, out=np.ones_like(T), where=T > 0)
    d_hat = T_hat ** (1 / (1 - economy.sigma))
    n = len(economy.countries)
    return Policy(np.zeros((n, n, 1)), name=name, trade_cost_hat=d_hat[:, :, None])


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


def equilibrium_residual(levels: Levels, T: np.ndarray, sigma: float, reference: int) -> float:
    """Max relative violation of the GE equations in levels: gravity (2-4), MRs (2-5, 2-6), market
    clearing (sum_j X_ij = Y_i), budgets (sum_i X_ij = E_j) and the normalisation P[reference] = 1."""
    q = levels
    world_output = q.Y.sum()
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 for pairs with T = 0, masked below
        checks = [
            q.X / gravity_flows(T, q.Y, q.E, q.Pi, q.P, sigma) - 1,
            (T * q.E[None, :] / world_output / q.P[None, :] ** (1 - sigma)).sum(axis=1) / q.Pi ** (1 - sigma) - 1,
            (T * q.Y[:, None] / world_output / q.Pi[:, None] ** (1 - sigma)).sum(axis=0) / q.P ** (1 - sigma) - 1,
            q.X.sum(axis=1) / q.Y - 1,
            q.X.sum(axis=0) / q.E - 1,
            np.array([q.P[reference] - 1]),
        ]
        return max(float(np.max(np.abs(np.where(T > 0, c, 0.0) if c.ndim == 2 else c))) for c in checks)


def _foreign(X: np.ndarray, axis: int) -> np.ndarray:
    return X.sum(axis=axis) - np.diag(X)


_LEVELS = {
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
assert tuple(_LEVELS) == VARIABLES


@dataclass(frozen=True, eq=False)
class GEResult:
    """One experiment: the baseline levels and the counterfactual ``Equilibrium`` of the gravity_ge model.

    ``equilibrium`` is the one equilibrium type (long table ``to_frame``, JSON ``to_json_dict``);
    ``baseline_residual`` is the largest relative violation of the GE equations in levels by the
    baseline; ``max_residual`` the larger of it and the equilibrium's.
    """

    baseline: Levels
    equilibrium: Equilibrium
    baseline_residual: float

    @property
    def model(self) -> GravityGE:
        return self.equilibrium.model

    @property
    def countries(self) -> tuple[str, ...]:
        return self.equilibrium.world.countries

    @property
    def kind(self) -> Kind:
        return self.model.kind

    @property
    def imbalance(self) -> Imbalance:
        return self.model.imbalance

    @property
    def reference(self) -> str:
        return self.countries[self.model.reference_index(self.equilibrium.world)]

    @property
    def sigma(self) -> float:
        return float(self.equilibrium.world.sigma[0])

    @property
    def max_residual(self) -> float:
        return max(self.baseline_residual, self.equilibrium.max_residual)

    @property
    def steps(self) -> int:
        return self.equilibrium.steps

    @cached_property
    def counterfactual(self) -> Levels:
        """Counterfactual levels: flows X', and baseline levels times the equilibrium's hats."""
        eq, base = self.equilibrium, self.baseline
        return Levels(X=np.asarray(eq.trade[:, :, 0]), Y=base.Y * eq.Y_hat, E=base.E * eq.E_hat, p=np.asarray(eq.p_hat),
                      Pi=base.Pi * eq.Pi_hat, P=base.P * eq.P_hat)

    def change_percent(self) -> np.ndarray:
        """Percent changes of every country variable, shape (len(VARIABLES), N): rows in ``VARIABLES``
        order, columns in ``countries`` order (the declared variables of the model)."""
        return np.stack([np.asarray(v.compute(self.equilibrium), dtype=float) for v in CHANGE_VARIABLES])

    def country_table(self) -> pd.DataFrame:
        """One row per country and variable: baseline, counterfactual (levels), change_percent.

        Variables: exports/imports (foreign flows), domestic_trade, output, expenditure,
        factory_gate_price, outward_mr, inward_mr, real_gdp (Y/P), welfare (real expenditure E/P).
        """
        change = self.change_percent()
        frames = [pd.DataFrame({"country": self.countries, "variable": name, "baseline": f(self.baseline),
                                "counterfactual": f(self.counterfactual), "change_percent": change[k]})
                  for k, (name, f) in enumerate(_LEVELS.items())]
        return pd.concat(frames, ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """The canonical long table of every model (``tariffsim.results.equilibrium_frame``)."""
        return self.equilibrium.to_frame()

    def to_json_dict(self, scenario: dict | None = None) -> dict:
        """The one JSON schema of every model (``tariffsim.results.to_json_dict``)."""
        from tariffsim.results import to_json_dict

        return to_json_dict(self.equilibrium, scenario)

    def bilateral(self) -> pd.DataFrame:
        """Bilateral flows: exporter, importer, baseline, counterfactual, change_percent (N*N rows)."""
        n = len(self.countries)
        b, c = self.baseline.X.ravel(), self.counterfactual.X.ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            change = 100 * (c / b - 1)
        return pd.DataFrame({"exporter": np.repeat(self.countries, n), "importer": np.tile(self.countries, n),
                             "baseline": b, "counterfactual": c, "change_percent": change})

    def summary(self, variables: tuple[str, ...] = ("real_gdp", "factory_gate_price", "exports", "inward_mr")) -> str:
        """Percent changes by country for a few variables, as a rich text table."""
        from tariffsim.gravity.tables import render

        change = self.change_percent()
        table = pd.DataFrame({name: change[VARIABLES.index(name)] for name in variables},
                             index=pd.Index(self.countries, name="country")).map(lambda v: f"{v:.3f}")
        title = f"{self.kind} GE, % change (reference {self.reference}, residual {self.max_residual:.1e})"
        buffer = io.StringIO()
        buffer.write(render(table, title))
        return buffer.getvalue()


def counterfactual(
    economy: GravityEconomy,
    T_new: np.ndarray,
    *,
    reference: str,
    kind: Kind = "full",
    imbalance: Imbalance = "multiplicative",
    config: SolverConfig | None = None,
) -> GEResult:
    """Solve the gravity_ge model with trade costs ``T_new`` (t'^(1-sigma), shape (N, N)) instead of ``economy.T``.

    kind       ``"conditional"``: Y and E fixed, only MRs adjust; ``"full"``: factory-gate prices too
    imbalance  how expenditure follows output in the full GE (``multiplicative`` or ``additive``)
    config     ``tariffsim.solve.SolverConfig`` of the baseline MRs and of the equilibrium (default: the
               model's); ``tol`` is the largest relative residual accepted for any equation
    """
    model = GravityGE(kind=kind, imbalance=imbalance, reference=reference,
                      solver=config if config is not None else SolverConfig())
    # validates T_new as trade costs (finite, >= 0, domestic trade, one connected network)
    GravityEconomy(economy.countries, np.asarray(T_new, dtype=float), economy.Y, economy.E, economy.sigma)
    base = baseline(economy, reference, model.solver)
    residual = equilibrium_residual(base, economy.T, economy.sigma, economy.index(reference))
    if not residual <= model.solver.tol:
        raise ConvergenceError(f"baseline of the {kind} GE for reference {reference}: GE equations in levels violated "
                               f"by {residual:.3g} (tolerance {model.solver.tol:g}); the trade costs are badly "
                               "conditioned (extreme values?)")
    calibration = model.calibrate(world(economy, base))
    equilibrium = solve(model, calibration, trade_cost_policy(economy, T_new))
    return GEResult(base, equilibrium, residual)
