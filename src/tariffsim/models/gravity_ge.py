"""One-sector structural gravity general equilibrium (Anderson and van Wincoop 2003; Yotov et al. 2016, ch. 2).

An Armington economy with one good per country, hit by a change of iceberg trade costs. It calibrates
on a one-sector ``World`` whose flows are the model's (e.g. the fitted flows of a PPML gravity
estimate: ``tariffsim.gravity.ge.baseline``) and solves in changes (exact hat algebra) through
``tariffsim.solve.solve``, like every model::

    model = GravityGE(kind="full", imbalance="multiplicative", reference="DEU")
    calibration = model.calibrate(world)                  # world: (N, N, 1) flows, sigma (1,)
    equilibrium = model.solve(calibration, Policy(world.tariffs, trade_cost_hat=d_hat))

Options:

- ``kind="full"``: endowments fixed, factory-gate prices p adjust, output Y = p Q, expenditure follows
  ``imbalance``; ``kind="conditional"``: output and expenditure fixed, only the multilateral
  resistances (MRs) adjust.
- ``imbalance``: how expenditure follows output in the full GE, ``"multiplicative"`` (each country's
  E/Y ratio kept up to one common factor) or ``"additive"`` (deficits fixed as shares of world output).
- ``reference``: the country whose inward MR is the numeraire, P_hat_ref = 1 (None: the largest
  spender). Real outcomes (real GDP, welfare, trade shares) do not depend on it; nominal ones move
  by one common factor.

The only instrument is ``trade_cost_hat`` (the model has no tariffs and no net-exports rule of the
policy's: imbalances follow ``imbalance``). Outcome: flows X', ``w_hat`` = factory-gate price p_hat,
``E_hat``, ``price_index_sector_hat`` = inward MR change P_hat (so welfare = E_hat / P_hat, real
expenditure, and real GDP = Y_hat / P_hat), ``Pi_hat``, ``P_hat``, ``Y_hat``.

``multilateral_resistances`` gives the MRs in levels for trade costs T = t^(1-sigma), output and
expenditure, with the same Newton (``tariffsim.solve.find_root``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Literal, get_args

import numpy as np

from tariffsim._jax import jax
from tariffsim.change import pct_change
from tariffsim.errors import ConvergenceError, DataValidationError, OptionError
from tariffsim.models import _gravity_equations as eq
from tariffsim.models._variables import BILATERAL_VARIABLES, HEADLINE_VARIABLES, LEVEL_VARIABLES, WELFARE, country
from tariffsim.models.base import Calibration, Equations, Kernel, TradeModel, Variable
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig, find_root
from tariffsim.world import World

Kind = Literal["conditional", "full"]
Imbalance = Literal["multiplicative", "additive"]


def _full_kernel(imbalance: str) -> Kernel:
    return Kernel(residuals=partial(eq.full_residuals_square, imbalance=imbalance),
                  jacobian=partial(eq.full_jacobian, imbalance=imbalance),
                  full_residuals=partial(eq.full_full_residuals, imbalance=imbalance),
                  outcome=partial(eq.full_outcome, imbalance=imbalance), welfare_parts=None, gradients=None)


# One Kernel (one set of function objects, so compiled once) per kind and imbalance.
_CONDITIONAL = Kernel(residuals=eq.conditional_residuals, jacobian=eq.conditional_jacobian,
                      full_residuals=eq.conditional_full_residuals, outcome=eq.conditional_outcome,
                      welfare_parts=None, gradients=None)
KERNELS: dict[tuple[str, str], Kernel] = {("full", imbalance): _full_kernel(imbalance)
                                          for imbalance in get_args(Imbalance)}
KERNELS.update({("conditional", imbalance): _CONDITIONAL for imbalance in get_args(Imbalance)})


def _diagonal(e) -> np.ndarray:
    return np.diagonal(e.trade[:, :, 0]).copy()


def _hat(field: str):
    return lambda e: 100 * (getattr(e, field) - 1)


_STANDARD = {v.name: v for v in (*HEADLINE_VARIABLES, *LEVEL_VARIABLES)}

# Country variables as percent changes, in the order of ``tariffsim.gravity.ge.VARIABLES``.
CHANGE_VARIABLES: tuple[Variable, ...] = (
    _STANDARD["exports"],
    _STANDARD["imports"],
    country("domestic_trade", "pct", "domestic sales X_ii, % change",
            lambda e: pct_change(_diagonal(e), e.world.domestic_sales)),
    country("output", "pct", "output Y (value of shipments, domestic included), % change", _hat("Y_hat")),
    country("expenditure", "pct", "expenditure E (domestic included), % change", _hat("E_hat")),
    country("factory_gate_price", "pct", "factory-gate price p (relative to the reference's inward MR), % change",
            _hat("p_hat"), "factory-gate price", "headline"),
    country("outward_mr", "pct", "outward multilateral resistance Pi, % change", _hat("Pi_hat")),
    country("inward_mr", "pct", "inward multilateral resistance P (the consumer price index), % change",
            _hat("P_hat"), "inward MR", "headline"),
    country("real_gdp", "pct", "real GDP, output deflated by the inward MR (Y / P), % change",
            lambda e: 100 * (e.Y_hat / e.P_hat - 1), "real GDP", "headline"),
    WELFARE,  # real expenditure E / P
)
LEVELS: tuple[Variable, ...] = (
    _STANDARD["exports_new"],
    _STANDARD["imports_new"],
    country("domestic_trade_new", "data_units", "counterfactual domestic sales", _diagonal),
    country("output_new", "data_units", "counterfactual output", lambda e: e.sales[:, 0]),
    country("expenditure_new", "data_units", "counterfactual expenditure", lambda e: e.trade.sum(axis=(0, 2))),
)


@dataclass(frozen=True)
class GravityGE(TradeModel):
    """The one-sector structural gravity GE in changes (see the module docstring)."""

    name: ClassVar[str] = "gravity_ge"
    instruments: ClassVar[frozenset[str]] = frozenset({"trade_cost_hat"})
    variables: ClassVar[tuple[Variable, ...]] = (*CHANGE_VARIABLES, *LEVELS, *BILATERAL_VARIABLES)
    kind: Kind = "full"
    imbalance: Imbalance = "multiplicative"
    reference: str | None = None

    def __post_init__(self) -> None:
        for option, value, allowed in (("kind", self.kind, Kind), ("imbalance", self.imbalance, Imbalance)):
            if value not in get_args(allowed):
                raise OptionError(f"gravity_ge: {option}={value!r} is not one of "
                                  f"{', '.join(repr(a) for a in get_args(allowed))}")

    def kernel(self) -> Kernel:
        return KERNELS[(self.kind, self.imbalance)]

    def reference_index(self, world: World) -> int:
        """Position of the numeraire country in ``world`` (the largest spender when ``reference`` is None)."""
        if self.reference is None:
            return int(np.argmax(world.expenditure))
        return world.country_index(self.reference)

    def calibrate(self, world: World) -> Calibration:
        """Baseline arrays of a one-sector world without tariffs whose flows are the model's."""
        if world.n_sectors != 1:
            raise DataValidationError(
                f"the gravity_ge model is a one-sector model; the world has {world.n_sectors} sectors. "
                "Aggregate them first (world.aggregate_sectors({'total': list(world.sectors)}))")
        if np.any(world.tariffs != 0):
            raise DataValidationError("the gravity_ge model has no tariffs (they are part of trade costs); give "
                                      "it a world with zero tariffs (world.with_tariffs(0 * world.tariffs))")
        params = eq.baseline_arrays(world.trade[:, :, 0], world.sigma[0], self.reference_index(world))
        return Calibration(self, world, params, world)

    def equations(self, calibration: Calibration, policy: Policy) -> Equations:
        world = calibration.world
        countries = world.countries
        ref = self.reference_index(world)
        others = tuple(c for k, c in enumerate(countries) if k != ref)
        checks = (tuple(f"market clearing of {c}" for c in countries) + tuple(f"budget of {c}" for c in countries)
                  + tuple(f"outward MR of {c}" for c in countries) + tuple(f"inward MR of {c}" for c in countries))
        if self.kind == "full":
            unknowns = tuple(f"log p_hat {c}" for c in countries)
            checks += tuple(f"factory-gate price of {c}" for c in countries)
        else:
            unknowns = tuple(f"log Pi_hat {c}" for c in countries) + tuple(f"log P_hat {c}" for c in others)
        return Equations(
            kernel=self.kernel(), params=calibration.params, policy=policy.arrays(world),
            start=np.zeros(len(unknowns)), unknowns=unknowns,
            equations=checks + (f"numeraire (inward MR of {countries[ref]} = 1)",),
            what_to_try=("a smaller shock (trade costs that go to 0 or infinity have no equilibrium), "
                         "SolverConfig(max_steps=..., max_log_step=0.5), or check the trade-cost matrix"),
        )


# ------------------------------------------------------------------------- baseline MRs in levels
_level_check = jax.jit(eq.level_full_residuals)


def multilateral_resistances(T: np.ndarray, Y: np.ndarray, E: np.ndarray, sigma: float, reference: int,
                             config: SolverConfig | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """MRs (2-5), (2-6) in levels for trade costs T = t^(1-sigma) (N,N), output Y and expenditure E (N,):
    returns (Pi, P, max_residual) with P[reference] = 1.

    Unknowns are a = ln Pi^(1-sigma) and b = ln P^(1-sigma) without b[reference] (= 0); the equation
    for b[reference] is implied by the others when sum Y = sum E and is checked afterwards. Solved by
    ``tariffsim.solve.find_root`` (the one Newton) from a matrix-balancing start; ConvergenceError when
    an equation is violated by more than ``config.tol``.
    """
    config = config if config is not None else SolverConfig()
    Y, E = np.asarray(Y, dtype=float), np.asarray(E, dtype=float)
    system = eq.level_system(T, Y, E, reference)
    tol = config.tol

    def accept(residuals) -> bool:
        residuals = np.asarray(residuals)
        return bool(np.all(np.isfinite(residuals)) and np.max(np.abs(residuals)) <= tol)

    root = find_root(eq.level_residuals, eq.level_jacobian, _level_check, eq.sinkhorn_start(system),
                     (system,), config, accept)
    residual = float(np.max(np.abs(np.asarray(root.evaluation))))
    if not accept(root.evaluation):
        raise ConvergenceError(
            f"multilateral resistances did not converge: largest residual {residual:.3g} > tolerance {tol:g} after "
            f"{root.steps} {root.method} steps. Check for countries without trade links or zero output, or try "
            "SolverConfig(max_steps=...).")
    n = Y.shape[0]
    z = np.asarray(root.u)
    a, b = z[:n], np.insert(z[n:], reference, 0.0)
    return np.exp(a / (1 - sigma)), np.exp(b / (1 - sigma)), residual


def gravity_flows(T: np.ndarray, Y: np.ndarray, E: np.ndarray, Pi: np.ndarray, P: np.ndarray,
                  sigma: float) -> np.ndarray:
    """Structural gravity (2-4): X_ij = Y_i E_j / Y_w * T_ij / (Pi_i P_j)^(1-sigma), shape (N, N)."""
    return np.outer(Y, E) / Y.sum() * T / np.outer(Pi ** (1 - sigma), P ** (1 - sigma))


__all__ = ["CHANGE_VARIABLES", "GravityGE", "Imbalance", "KERNELS", "Kind", "gravity_flows",
           "multilateral_resistances"]
