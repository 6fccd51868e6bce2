"""Political-economy weights lambda as Ossa (2014) computes them: the paper's sign-step heuristic.

``calibrate_weights`` (``tariffsim.games.weights``) solves the calibration criterion of
MODEL_OSSA2014.md §4.3 exactly. The paper does not: its weights come from a heuristic search that
stops when every MFN optimal tariff is within a few tenths of a point of the targets' pattern, keeps
the best iteration it saw, and carries a few quirks of the original program. The published tables
(panels b and c) are computed with *those* weights, so a replication needs the heuristic itself.
``paper_weights`` runs it, with the same inputs and outputs as ``calibrate_weights``.

The heuristic, per country j, independently of the others (§4.3 "Original algorithm"):

Set-up. Prohibitive targets are those above 2.25; the upper bounds are UB_s = max(target_s + 0.03,
2.25); lambda_s = 1 for all s; the MFN tariff guess is 0.1 in every industry. Industries are sorted by
(target, industry index) and most of the bookkeeping happens in that order.

Each iteration k = 0, 1, ... (at most 250):

1. tau* = j's MFN optimal tariffs at the current lambda (everyone else lambda = 1 and factual tariffs,
   bounds [0, UB]), by one local search from the current guess (§4.3 step 1; ``_mfn_search``: as the
   paper's ``fmincon``, it stays on the side of a valley it starts on).
2. Desired tariffs, in sorted order (§4.3 step 2): P0 = number of non-prohibitive industries; the
   preliminary pattern target_s - mean(target[:P0]) + mean(tau*[:P0]); P = min(P0, last sorted
   position where the preliminary pattern is <= UB); desired = target - mean(target[:P]) +
   mean(tau*[:P]) for the first P, UB - 0.03 beyond; then capped at UB - 0.03 and floored at 0.
   *Quirk (§4.3 step 2)*: the "<= UB" comparison takes UB in industry order, not sorted order (it
   matters only where UB is not 2.25 everywhere, i.e. for Japan).
3. Deviation d = tau* - desired (sorted), times an indicator that lambda_s was positive at the
   previous iteration (§4.3 step 3): industries whose weight hit zero are frozen. *Quirk*: the
   original takes the indicator computed when the previous lambda was updated, i.e. the positivity
   of the lambda *used* in the previous iteration (all ones at k = 0), not of the current one.
4. Step (§4.3 step 4): cutoffs c_v = 0.1 / 2^(6-v), v = 1..6 (0.003125 ... 0.1); CLOSE = the largest
   v with max|d| > c_v (0 if none); direction D_v = +1 where d < -c_v, -1 where d > c_v (a tariff
   too high lowers lambda_s); multipliers m = (5e-5, 5e-5, 5e-4, 5e-3, 0.05, 0.1); the multiplier
   index p_m and the direction index p_d follow the schedule ``schedule(k, CLOSE)``; the correction is
   m[p_m] D[p_d], times the indicator of step 3.
5. Stop (§4.3 step 5) when CLOSE = 0, or CLOSE = 1 and k > 100, or CLOSE = 2 and k > 150, or
   CLOSE = 3 and k > 200; the correction is then zero (this iteration is still logged).
6. Update (§4.3 step 6), in sorted order: lambda <- 1[lambda > 0] ((lambda + corr) - mean(lambda +
   corr) + 1), then lambda <- max(lambda, 0) / mean(max(lambda, 0)).
7. Log (§4.3 step 7) tau*, d and the lambda used in this iteration.
8. Next guess (§4.3 step 8): tau* for k < 10, then the desired tariffs. *Quirk*: the desired tariffs
   are in sorted order but are used as an industry-ordered guess. *Quirk*: for Japan (the original
   tests ``j == 5``) the raw targets are the guess from k = 10 on (``raw_target_guess``).

Result (§4.3 "Return value"): the logged iteration with the smallest sum of squared (masked)
deviations, the first on ties; its lambda (the one that produced its tau*) and its tau*, back in
industry order.

The guess matters here although the optimum does not depend on it in principle: the MFN problem is
flat in some industries and has local optima in others (prohibitive ones), so the searched tau*,
and with it the path of the heuristic, follows the guesses as the paper's did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from tariffsim._jax import jnp
from tariffsim.errors import OptionError
from tariffsim.games import _adjoint
from tariffsim.games.optimal import SearchOptions, bounded_search, control_for
from tariffsim.games.weights import MARGIN, PROHIBITIVE, PoliticalWeights, WeightsFit, upper_bounds
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule

CUTOFFS = 0.1 / 2.0 ** (6 - np.arange(1, 7))  # c_1 ... c_6 = 0.003125 ... 0.1 (§4.3 step 4)
MULTIPLIERS = np.array([5e-5, 5e-5, 5e-4, 5e-3, 0.05, 0.1])  # m_1 ... m_6 (§4.3 step 4)
MAX_ITERATIONS = 250  # §4.3: at most 250 iterations
FIRST_GUESS = 0.1  # §4.3 set-up: the MFN tariff guess of the first iteration
OWN_GUESS_ITERATIONS = 10  # §4.3 step 8: tau* is the next guess for k < 10
# §4.3 step 8: the original uses the raw targets as the guess for Japan (its country 5) from k = 10 on.
RAW_TARGET_GUESS = ("JPN",)


@dataclass(frozen=True, eq=False)
class PaperWeightsFit(WeightsFit):
    """``WeightsFit`` of the paper's heuristic for one country, with its search facts.

    ``level`` is mean(tau*) - mean(target) over the first P sorted industries of the returned
    iteration, ``desired`` its desired tariffs (industry order), ``optimal`` its tau*;
    ``first_order_residual`` is NaN (the heuristic does not evaluate the criterion's conditions).

    Attributes:
        iterations: iterations run (at most 250). best_iteration: the one returned (0-based).
        stop: why it stopped (``"close 0 at iteration k"`` ..., or ``"250 iterations"``).
        rss: sum of squared deviations of the returned iteration (the selection criterion).
        max_kkt_residual: largest first-order residual of the MFN optima searched.
        solves: equilibrium solves of all the MFN optima.
    """

    iterations: int
    best_iteration: int
    stop: str
    rss: float
    max_kkt_residual: float
    solves: int


@dataclass(frozen=True, eq=False)
class Step:
    """What one iteration of the heuristic decides from tau* (arrays in sorted industry order).

    Attributes:
        desired: (S,) desired tariffs. deviation: (S,) d = tau* - desired, masked by the previous
            positivity indicator. close: CLOSE (0..6). correction: (S,) the step applied to lambda.
        stop: the stopping rule holds (the correction is then zero). weights: (S,) the next lambda.
        positive: (S,) indicator lambda > 0 of the lambda used now (it masks the next iteration).
        level_count: P, the number of sorted industries on the pattern.
    """

    desired: np.ndarray
    deviation: np.ndarray
    close: int
    correction: np.ndarray
    stop: bool
    weights: np.ndarray
    positive: np.ndarray
    level_count: int


def industry_order(target: np.ndarray) -> np.ndarray:
    """Sorted position -> industry: industries by (target, industry index), as the original sorts."""
    return np.lexsort((np.arange(len(target)), target))


def schedule(iteration: int, close: int) -> tuple[int, int]:
    """(p_m, p_d), the multiplier and direction levels of iteration ``iteration`` (§4.3 step 4 table)."""
    if iteration < 75:
        return max(close, 3), close
    if iteration < 125:
        return min(close, 3), min(close, 3)
    if iteration < 175:
        return min(close, 2), min(close, 2)
    return min(close, 4), close


def stops(iteration: int, close: int) -> bool:
    """The stopping rule of §4.3 step 5."""
    return close == 0 or (close == 1 and iteration > 100) or (close == 2 and iteration > 150) or \
        (close == 3 and iteration > 200)


def heuristic_step(iteration: int, target: np.ndarray, optimal: np.ndarray, weights: np.ndarray,
                   positive_before: np.ndarray) -> Step:
    """One iteration of the heuristic after tau* was computed (§4.3 steps 2-6).

    Args:
        iteration: k (0-based). target, optimal: (S,) targets and tau*, industry order.
        weights: (S,) the lambda that produced tau*, sorted order. positive_before: (S,) the positivity
            indicator of the previous iteration (ones at k = 0), sorted order.
    """
    s = len(target)
    upper = upper_bounds(target)
    order = industry_order(target)
    target_sorted, optimal_sorted, upper_sorted = target[order], optimal[order], upper[order]
    prohibitive_sorted = target_sorted > PROHIBITIVE
    normal = np.flatnonzero(~prohibitive_sorted)
    p0 = int(normal[-1]) + 1 if len(normal) else 0  # last non-prohibitive sorted position
    if p0 == 0:
        raise OptionError("every target is prohibitive (above 2.25): the heuristic has no pattern to follow")
    preliminary = target_sorted - target_sorted[:p0].mean() + optimal_sorted[:p0].mean()
    # Quirk (§4.3 step 2): compared with UB in industry order, not sorted order.
    within = np.flatnonzero(~(preliminary > upper))
    p = min(int(within[-1]) + 1, p0) if len(within) else 0
    if p == 0:
        raise OptionError("no industry's desired tariff is below its upper bound: the heuristic has no pattern")
    pattern = target_sorted[:p] - target_sorted[:p].mean() + optimal_sorted[:p].mean()
    desired = np.concatenate([pattern, upper_sorted[p:] - MARGIN])
    desired = np.maximum(np.minimum(desired, upper_sorted - MARGIN), 0.0)
    deviation = positive_before * (optimal_sorted - desired)
    largest = float(np.max(np.abs(deviation)))
    close = int(np.sum(largest > CUTOFFS))  # the cutoffs increase: the largest v with max|d| > c_v
    stop = stops(iteration, close)  # always when CLOSE = 0
    correction = np.zeros(s)
    if not stop:
        pick_multiplier, pick_direction = schedule(iteration, close)
        cutoff = CUTOFFS[pick_direction - 1]
        direction = np.where(deviation < -cutoff, 1.0, np.where(deviation > cutoff, -1.0, 0.0))
        correction = positive_before * MULTIPLIERS[pick_multiplier - 1] * direction
    positive = weights > 0
    moved = positive * ((weights + correction) - np.mean(weights + correction) + 1.0)
    moved = np.maximum(moved, 0.0)
    return Step(desired, deviation, close, correction, stop, moved / moved.mean(), positive.astype(float), p)


def paper_weights(calibration: Calibration, targets: np.ndarray, *, countries: Sequence[str] | None = None,
                  net_exports: NetExportsRule = "zero", max_iterations: int = MAX_ITERATIONS,
                  raw_target_guess: Sequence[str] = RAW_TARGET_GUESS,
                  on_iteration: Callable[[str, int, int, float], None] | None = None) -> PoliticalWeights:
    """Weights lambda (N,S) by the paper's heuristic (module docstring), like ``calibrate_weights``.

    Args:
        calibration: calibrated (purged) world with factual tariffs.
        targets: (N,S) non-cooperative tariff targets of each country (rows) by sector, fractions.
        countries: countries to calibrate (default all); the others keep weights of one.
        raw_target_guess: codes of the countries whose guess from iteration 10 on is their raw targets
            (the original's Japan quirk, §4.3 step 8); codes the world lacks are ignored.
        on_iteration: called after each iteration with (country, k, CLOSE, max |d|).
    """
    world = calibration.world
    targets = np.asarray(targets, dtype=float)
    if targets.shape != (world.n_countries, world.n_sectors):
        raise OptionError(f"targets must have shape {(world.n_countries, world.n_sectors)} (countries x sectors), "
                          f"not {targets.shape}")
    if not 1 <= max_iterations <= MAX_ITERATIONS:
        raise OptionError(f"max_iterations must be between 1 and {MAX_ITERATIONS} (the paper's cap), "
                          f"not {max_iterations}")
    raw = set(raw_target_guess) & set(world.countries)  # codes; absent ones (no Japan) do not apply
    weights = np.ones((world.n_countries, world.n_sectors))
    fits = []
    # One BLAS thread: the searches' small dense algebra (L-BFGS-B on 33 tariffs) runs several times
    # faster than with threads contending for two cores, and its rounding does not depend on them.
    with threadpool_limits(limits=1, user_api="blas"):
        for j in world.country_indices(countries or "all"):
            fit = _paper_country(calibration, j, targets[j], net_exports, max_iterations,
                                 world.countries[j] in raw, on_iteration)
            weights[j] = fit.weights
            fits.append(fit)
    return PoliticalWeights(weights, tuple(fits))


def _mfn_search(calibration: Calibration, j: int, upper: np.ndarray, net_exports):
    """``search(weights_j, guess) -> (tau*, KKT residual, solves)``: j's MFN optimal tariffs in [0, UB]
    with lambda_j = ``weights_j`` (everyone else 1, factual tariffs), by one local search from ``guess``.

    As the paper's ``fmincon``, the search is local: it climbs from the guess and stays on the side of a
    valley it starts on. ``optimal_tariffs`` would also try every tariff at its upper bound and jump
    to a better plateau of prohibitive tariffs; here that would leave the paper's path (Japan's rice
    and wheat), so the plain bounded search (L-BFGS-B, exact gradients) is used.
    """
    world = calibration.world
    control, _ = control_for(calibration, j, mfn=True, partners=None, sectors=None)
    game = _adjoint.problem(calibration, world.tariffs, net_exports, "political-economy weights (paper)")
    lower = np.zeros(world.n_sectors)
    options = SearchOptions()
    weights = np.ones((world.n_countries, world.n_sectors))
    own = jnp.asarray(np.eye(world.n_countries)[j])

    def search(weights_j: np.ndarray, guess: np.ndarray) -> tuple[np.ndarray, float, int]:
        weights[j] = weights_j
        args = dict(**game.kwargs, control=control, weights=jnp.asarray(weights), country_weights=own)
        x, _, gradient, _, solves = bounded_search(np.clip(guess, lower, upper), lower, upper, args, options,
                                                   world.countries[j], game.start)
        return x, float(np.max(np.abs(np.clip(x + gradient, lower, upper) - x))), solves

    return search


def _paper_country(calibration: Calibration, j: int, target: np.ndarray, net_exports, max_iterations: int,
                   raw_guess: bool, on_iteration) -> PaperWeightsFit:
    clock = time.perf_counter()
    world = calibration.world
    s = world.n_sectors
    code = world.countries[j]
    upper = upper_bounds(target)
    order = industry_order(target)
    weights_sorted = np.ones(s)
    positive = np.ones(s)
    guess = np.full(s, FIRST_GUESS)
    search = _mfn_search(calibration, j, upper, net_exports)
    log = []  # (rss, tau* sorted, lambda used sorted, desired sorted, P)
    max_kkt, solves, stop = 0.0, 0, f"{max_iterations} iterations"
    for k in range(max_iterations):
        used = np.empty(s)
        used[order] = weights_sorted
        optimal, kkt, count = search(used, guess)
        max_kkt, solves = max(max_kkt, kkt), solves + count
        step = heuristic_step(k, target, optimal, weights_sorted, positive)
        log.append((float(np.sum(step.deviation ** 2)), optimal[order], weights_sorted, step.desired,
                    step.level_count))
        if on_iteration:
            on_iteration(code, k, step.close, float(np.max(np.abs(step.deviation))))
        weights_sorted, positive = step.weights, step.positive
        if k < OWN_GUESS_ITERATIONS:
            guess = optimal
        else:  # quirks (§4.3 step 8): sorted desired tariffs as an industry-ordered guess; Japan's raw targets
            guess = target.copy() if raw_guess else step.desired
        if step.stop:
            stop = f"close {step.close} at iteration {k}"
            break
    best = int(np.argmin([entry[0] for entry in log]))  # argmin: the first of equal sums, as sortrows
    rss, optimal_sorted, weights_best, desired_sorted, p = log[best]
    back = np.empty(s, dtype=int)
    back[order] = np.arange(s)

    def industry(values: np.ndarray) -> np.ndarray:
        return values[back]

    optimal, lam, desired = industry(optimal_sorted), industry(weights_best), industry(desired_sorted)
    first = order[:p]
    normal = target <= PROHIBITIVE
    deviation = optimal[normal] - desired[normal]
    return PaperWeightsFit(
        country=code, weights=lam, level=float(optimal[first].mean() - target[first].mean()), desired=desired,
        optimal=optimal, correlation=_correlation(optimal[normal], target[normal]),
        rms_deviation_pp=float(100 * np.sqrt(np.mean(deviation ** 2))),
        max_deviation_pp=float(100 * np.max(np.abs(deviation))), first_order_residual=float("nan"),
        seconds=time.perf_counter() - clock, iterations=len(log), best_iteration=best, stop=stop, rss=rss,
        max_kkt_residual=float(max_kkt), solves=int(solves),
    )


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation, NaN (without a warning) when either side is constant."""
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
