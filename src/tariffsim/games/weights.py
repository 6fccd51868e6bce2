"""Political-economy weights lambda that rationalise observed tariffs (MODEL_OSSA2014.md §4.3).

The criterion: country j's MFN optimal tariffs under weights lambda_j (others' tariffs factual, bounds
[0, UB_s] with UB_s = max(target_s + 0.03, 2.25)) reproduce the cross-sector pattern of its
non-cooperative tariff targets: tau*_s = target_s - mean(target) + c for the non-prohibitive sectors,
with lambda >= 0 and mean 1. The level c is not a choice: it is pinned down by the terms-of-trade and
profit-shifting motives.

Instead of the paper's sign-step heuristic (which ``tariffsim.games.paper_weights.paper_weights`` runs
as the paper does, quirks included: the weights behind the published tables and the default of
``tariffsim replicate ossa2014``; this exact calibration is its ``--weights exact``), the inverse
problem is solved directly. G_hat_j =
(sum_s lambda_s I'_s / sum_s lambda_s I_s) / P_hat_j, so the first-order conditions at the desired
tariffs tau~(c) are *linear* in lambda:

    sum_s lambda_s [dI'_s/dtau_k - I'_s dlog P_hat_j/dtau_k] = 0,   i.e.  M(c) lambda = 0,

with M computed exactly through the equilibrium (implicit differentiation). For each c, non-negative
least squares gives the lambda (mean 1) that best satisfies them; c is chosen where the conditions
hold (M(c) is singular with a non-negative null vector). Sectors whose target is prohibitive
(above 2.25, e.g. Japan's rice) sit on a plateau where the conditions say nothing: their weight is the
smallest common value (on a 10% grid from 1) for which the optimiser picks the prohibitive tariff. Every calibrated lambda is
then checked by computing the MFN optimal tariffs it implies, and the fit is reported.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from tariffsim._jax import jnp
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import _adjoint
from tariffsim.games.optimal import control_for, optimal_tariffs
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule

PROHIBITIVE = 2.25  # targets above this are prohibitive (and the default upper bound)
MARGIN = 0.03  # UB_s = max(target_s + MARGIN, PROHIBITIVE)


@dataclass(frozen=True, eq=False)
class WeightsFit:
    """The calibrated weights of one country and how well they rationalise its targets.

    Attributes:
        weights: (S,) lambda, mean 1. level: c. desired: (S,) tau~(c), the targets' pattern at level c.
        optimal: (S,) the MFN optimal tariffs implied by ``weights`` (computed, bounds [0, UB]).
        correlation: correlation of ``optimal`` with the targets over non-prohibitive sectors.
        rms_deviation_pp, max_deviation_pp: deviations of ``optimal`` from ``desired`` (the targets'
            pattern at level c, capped at UB - 0.03) over non-prohibitive sectors, percentage points.
        first_order_residual: |M lambda| / (|M| sqrt(S)) at the solution (0: exact).
    """

    country: str
    weights: np.ndarray
    level: float
    desired: np.ndarray
    optimal: np.ndarray
    correlation: float
    rms_deviation_pp: float
    max_deviation_pp: float
    first_order_residual: float
    seconds: float


@dataclass(frozen=True, eq=False)
class PoliticalWeights:
    """(N,S) weights (ones for countries not calibrated) and one fit per calibrated country."""

    weights: np.ndarray
    fits: tuple[WeightsFit, ...]


def upper_bounds(targets: np.ndarray) -> np.ndarray:
    """UB_s = max(target_s + 0.03, 2.25), the calibration's sector-specific upper bounds (§4.3)."""
    return np.maximum(np.asarray(targets) + MARGIN, PROHIBITIVE)


def calibrate_weights(calibration: Calibration, targets: np.ndarray, *, countries: Sequence[str] | None = None,
                      net_exports: NetExportsRule = "zero") -> PoliticalWeights:
    """Weights lambda (N,S) under which each country's MFN optimal tariffs follow its targets' pattern.

    Args:
        calibration: calibrated (purged) world with factual tariffs.
        targets: (N,S) non-cooperative tariff targets of each country (rows) by sector, fractions.
        countries: countries to calibrate (default all); the others keep weights of one.
    """
    world = calibration.world
    targets = np.asarray(targets, dtype=float)
    if targets.shape != (world.n_countries, world.n_sectors):
        raise OptionError(f"targets must have shape {(world.n_countries, world.n_sectors)} (countries x sectors), "
                          f"not {targets.shape}")
    weights = np.ones((world.n_countries, world.n_sectors))
    fits = []
    for j in world.country_indices(countries or "all"):
        fit = _calibrate_country(calibration, j, targets[j], net_exports)
        weights[j] = fit.weights
        fits.append(fit)
    return PoliticalWeights(weights, tuple(fits))


def _calibrate_country(calibration: Calibration, j: int, target: np.ndarray, net_exports) -> WeightsFit:
    clock = time.perf_counter()
    world = calibration.world
    s = world.n_sectors
    upper = upper_bounds(target)
    prohibitive = target > PROHIBITIVE
    control, _ = control_for(calibration, j, mfn=True, partners=None, sectors=None)
    game = _adjoint.problem(calibration, world.tariffs, net_exports, "calibrating political-economy weights")
    args = dict(**game.kwargs, control=control, country=j)

    def desired(level: float) -> np.ndarray:
        pattern = target - target[~prohibitive].mean() + level
        return np.where(prohibitive, target, np.clip(pattern, 0.0, upper - MARGIN))

    def conditions(level: float) -> tuple[np.ndarray, np.ndarray]:
        """M (S x S) at tau~(level), normalised to units of d log G / d tau, and tau~."""
        tau = desired(level)
        income, _, d_income, d_log_price, residual = _adjoint.income_price_jacobian(jnp.asarray(tau), game.start,
                                                                                    **args)
        if not float(residual) <= game.config.tol:
            raise ConvergenceError(f"equilibrium failed while calibrating weights of {world.countries[j]} "
                                   f"(residual {float(residual):.2e}) at level {level:.3f}")
        income = np.asarray(income)
        matrix = np.asarray(d_income).T - np.outer(np.asarray(d_log_price), income)
        return matrix / income.sum(), tau

    def solve_weights(level: float, plateau_weight: float) -> tuple[np.ndarray, float, np.ndarray]:
        """lambda >= 0 with mean 1 solving the conditions at tau~(level) as well as possible.

        Interior sectors need (M lambda)_k = 0; sectors whose desired tariff is 0 need only
        (M lambda)_k <= 0 (welfare falls with the tariff), written with a slack sigma_k >= 0 as
        (M lambda)_k + sigma_k = 0. Non-negative least squares over (lambda, sigma).
        """
        matrix, tau = conditions(level)
        interior, at_zero = ~prohibitive & (tau > 0), ~prohibitive & (tau <= 0)
        rows = interior | at_zero
        free = ~prohibitive
        weights = np.where(prohibitive, plateau_weight, 0.0)
        rhs = -matrix[rows][:, prohibitive] @ weights[prohibitive]
        slack = np.eye(s)[rows][:, at_zero]
        scale = 1e3 * max(np.abs(matrix[rows]).max(), 1e-12)
        system = np.block([[matrix[rows][:, free], slack],
                           [scale * np.ones((1, free.sum())), np.zeros((1, at_zero.sum()))]])
        goal = np.concatenate([rhs, [scale * (s - weights[prohibitive].sum())]])
        solution = scipy.optimize.nnls(system, goal, maxiter=50 * s)[0]
        weights[free] = solution[:free.sum()]
        violation = matrix[rows] @ weights + slack @ solution[free.sum():]
        # relative to the size of the conditions at lambda = 1 (not |lambda|: that would favour
        # weights piled on one small sector)
        residual = np.linalg.norm(violation) / (np.linalg.norm(matrix[rows]) * np.sqrt(s))
        return weights * s / weights.sum(), float(residual), tau

    plateau_weight = 1.0
    for _ in range(40):
        levels = np.linspace(0.0, 1.5, 31)
        residuals = [solve_weights(c, plateau_weight)[1] for c in levels]
        k = int(np.argmin(residuals))
        bracket = (levels[max(k - 1, 0)], levels[min(k + 1, len(levels) - 1)])
        best = scipy.optimize.minimize_scalar(lambda c: solve_weights(c, plateau_weight)[1], bounds=bracket,
                                              method="bounded", options={"xatol": 1e-10})
        level = float(best.x)
        weights, residual, tau = solve_weights(level, plateau_weight)
        optimum = optimal_tariffs(calibration, world.countries[j], weights=_row(world, j, weights), mfn=True,
                                  upper=upper, start=tau, net_exports=net_exports)
        if not prohibitive.any() or np.all(optimum.chosen[prohibitive] >= PROHIBITIVE):
            break
        plateau_weight *= 1.1
    else:
        raise ConvergenceError(f"weights of {world.countries[j]}: no plateau weight makes its prohibitive targets "
                               "optimal; check the targets")
    chosen = optimum.chosen
    normal = ~prohibitive
    deviation = chosen[normal] - tau[normal]
    return WeightsFit(
        country=world.countries[j], weights=weights, level=level, desired=tau, optimal=chosen,
        correlation=float(np.corrcoef(chosen[normal], target[normal])[0, 1]),
        rms_deviation_pp=float(100 * np.sqrt(np.mean(deviation ** 2))),
        max_deviation_pp=float(100 * np.max(np.abs(deviation))), first_order_residual=residual,
        seconds=time.perf_counter() - clock,
    )


def _row(world, j: int, weights: np.ndarray) -> np.ndarray:
    """(N,S) ones with row j replaced by ``weights``."""
    full = np.ones((world.n_countries, world.n_sectors))
    full[j] = weights
    return full
