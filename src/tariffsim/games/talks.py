"""Cooperative trade talks: efficient tariffs with equal government-welfare gains (MODEL_OSSA2014.md §4.6).

All participants' tariffs are chosen jointly to reach the point of the government-welfare Pareto
frontier where every government gains the same proportion relative to the baseline: maximise the
first participant's log G_hat subject to equal log G_hat for all, by an augmented Lagrangian whose inner
problems are L-BFGS-B searches with exact adjoint gradients. (Maximising a weighted sum with weights
solved for equal gains does not work: the frontier is not concave and the maximiser jumps.) At the
solution, anchor-minus-multiplier weights omega support the frontier. The result reports the largest
deviation from equal gains and the first-order residual of the final inner problem.

Baselines: talks start from the calibration's world. ``rebase`` makes a world whose baseline is any
tariff cube (the Nash or free-trade outcome), so gains are measured relative to it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tariffsim._jax import jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError
from tariffsim.games import _adjoint
from tariffsim.games._bounds import OnUpperBound, upper_bound_labels
from tariffsim.games.optimal import SearchOptions, bounded_search
from tariffsim.models import Calibration, Krugman, MultiSectorModel
from tariffsim.policy import NetExportsRule, Policy
from tariffsim.world import World

UNRESTRICTED_LOWER = -0.5  # "unrestricted" talks allow import subsidies down to -50% (1 + t > 0)
# Inner searches of the augmented Lagrangian run until the projected gradient is small, not until the
# objective stops falling (ftol=0): near the solution the objective moves by less than 1e-15 per step
# while the gradient is still informative. The first-order residual accepted is 1e-5: a 1-point change
# of any tariff moves log G_hat by at most 1e-7 there.
TALKS_SEARCH = SearchOptions(ftol=0.0, kkt_tolerance=1e-5)
# Beyond this penalty the augmented Lagrangian is stuck at a point that does not equalise the gains.
MAX_PENALTY = 1e8
# Fresh L-BFGS-B searches allowed at the final multipliers when gains are equal but the gradient is not small.
POLISH_RESTARTS = 3


def rebase(world: World, tariffs: np.ndarray, model: MultiSectorModel | None = None,
           net_exports: NetExportsRule = "fixed") -> World:
    """The world whose baseline is the equilibrium at ``tariffs`` (flows X', tariffs t^B).

    Hat algebra is exact, so hats relative to the rebased world equal levels relative to the old
    world divided by the levels at ``tariffs``.
    """
    model = model or Krugman()
    equilibrium = model.solve(model.calibrate(world), Policy(tariffs, net_exports, "rebase"))
    return world.replace(trade=equilibrium.trade, tariffs=tariffs)


@dataclass(frozen=True, eq=False)
class TradeTalks(OnUpperBound):
    """The efficient equal-gains outcome of talks among ``participants``.

    Attributes:
        tariffs: (N,N,S) the agreed tariff cube. equilibrium: verified equilibrium at it.
        government_welfare_hat: (N,) relative to the calibration's baseline.
        common_gain_pct: the participants' (equal) government-welfare gain, percent.
        equal_gain_residual: largest difference of log G_hat between participants.
        kkt_residual: first-order residual of the weighted problem at the solution.
        country_weights: (N,) linear weights on log G_hat at the solution (anchor minus multipliers):
            the supporting prices of the frontier.
        solves: equilibrium solves. seconds: wall time.
        upper: the upper bound on every chosen tariff. at_upper_bound: ``"importer partner sector"`` of the
            agreed tariffs on it (partner ``*``: MFN), whose value is the bound's.
    """

    participants: tuple[str, ...]
    mfn: bool
    tariffs: np.ndarray
    equilibrium: Equilibrium
    government_welfare_hat: np.ndarray
    common_gain_pct: float
    equal_gain_residual: float
    kkt_residual: float
    country_weights: np.ndarray
    solves: int
    seconds: float
    upper: float
    at_upper_bound: tuple[str, ...]

    def to_frame(self):
        """Countries in rows: government welfare and welfare changes (%), median tariff (%), who took part."""
        from tariffsim.games.tables import country_frame

        return country_frame(self.equilibrium, self.government_welfare_hat, self.tariffs, self.participants)

    def tariff_frame(self):
        """The participants' cooperative tariffs: exporter, importer, sector, tariff (fraction)."""
        from tariffsim.games.tables import tariff_frame

        return tariff_frame(self.equilibrium.world, self.tariffs, self.participants)

    def facts(self) -> dict:
        """Convergence facts: common gain, equal-gain and KKT residuals, solves, seconds, residual."""
        return {"common_gain_pct": self.common_gain_pct, "equal_gain_residual": self.equal_gain_residual,
                "kkt_residual": self.kkt_residual, "solves": self.solves, "seconds": self.seconds,
                "equilibrium_residual": self.equilibrium.max_residual, "upper_bound": self.upper,
                "at_upper_bound": list(self.at_upper_bound)}


def talks_control(world: World, participants: Sequence[int], mfn: bool) -> _adjoint.Control:
    """Cells chosen jointly: the participants' import tariffs.

    Non-MFN: the tariffs participants levy on each other, one per pair and sector (tariffs on
    outsiders stay as they are). MFN: one tariff per participant and sector, applied to every partner.
    Variables are importer-major, then sector, then exporter.
    """
    exporter, importer, sector, variable = [], [], [], []
    count = 0
    for j in participants:
        for s in range(world.n_sectors):
            for i in range(world.n_countries):
                if i == j or not (mfn or i in participants):
                    continue
                exporter.append(i)
                importer.append(j)
                sector.append(s)
                variable.append(count)
                if not mfn:
                    count += 1
            if mfn:
                count += 1
    return _adjoint.Control(jnp.asarray(exporter), jnp.asarray(importer), jnp.asarray(sector), jnp.asarray(variable))


def cooperative_tariffs(
    calibration: Calibration,
    *,
    participants: Sequence[str] | None = None,
    weights: np.ndarray | None = None,
    mfn: bool = False,
    lower: float = 0.0,
    upper: float = 10.0,
    start: np.ndarray | None = None,
    net_exports: NetExportsRule = "fixed",
    equal_tol: float = 1e-8,
    initial_penalty: float = 10.0,
    max_outer: int = 40,
    options: SearchOptions | None = None,
) -> TradeTalks:
    """Efficient tariffs with equal proportional government-welfare gains for all participants.

    Args:
        calibration: calibrated world; its tariffs are the baseline the gains are measured from
            (use ``rebase`` for talks from a Nash or free-trade baseline).
        participants: countries at the table (default all); non-participants keep their tariffs.
        weights: (N,S) political-economy weights lambda (default ones).
        mfn: one tariff per importer and sector.
        lower, upper: bounds on every chosen tariff. ``lower=0`` is the "restricted" variant (no
            import subsidies); ``UNRESTRICTED_LOWER`` (-0.5) the unrestricted one.
        start: (N,N,S) starting cube; default: Ossa's, 0.25 * ((sigma-1)/sigma / mean - 1) with unit
            weights (undoing markup distortions), zeros otherwise, clipped to the bounds.
        equal_tol: largest allowed difference of log G_hat between participants.
        initial_penalty, max_outer: augmented-Lagrangian penalty to start with (multiplied by 10
            whenever the largest violation falls by less than a factor 4) and cap on outer rounds.
    Raises:
        ConvergenceError: gains could not be equalised, or the weighted problem's KKT residual is large.
    """
    options = options or TALKS_SEARCH
    world = calibration.world
    n, s = world.n_countries, world.n_sectors
    members = world.country_indices(participants or "all")
    weights = np.ones((n, s)) if weights is None else np.asarray(weights, float)
    control = talks_control(world, members, mfn)
    k = int(np.asarray(control.variable).max()) + 1
    given_start = start is not None
    if start is None:
        markup = (world.sigma - 1) / world.sigma
        sector_start = 0.25 * (markup / markup.mean() - 1) if np.all(weights == weights.flat[0]) else np.zeros(s)
        start = np.broadcast_to(sector_start, (n, n, s))
    x0 = variables_from_cube(np.asarray(start), control, k)
    lower_bounds, upper_bounds = np.full(k, float(lower)), np.full(k, float(upper))
    x0 = np.clip(x0, lower_bounds, upper_bounds)
    game = _adjoint.problem(calibration, world.tariffs, net_exports, "trade talks")
    anchor, others = members[0], members[1:]
    constraints = np.zeros((max(len(others), 1), n))
    for row, k_ in enumerate(others):
        constraints[row, k_], constraints[row, anchor] = 1.0, -1.0
    args = dict(**game.kwargs, control=control, weights=jnp.asarray(weights), constraints=jnp.asarray(constraints))
    clock = time.perf_counter()

    def augmented_lagrangian(x, multipliers=None, penalty=initial_penalty):
        """Outer rounds from ``x`` (and multipliers, penalty): (x, inner gradient, last outer arguments,
        solves, reached equal gains, multipliers, penalty)."""
        multipliers = np.zeros(len(constraints)) if multipliers is None else multipliers
        previous, solves = np.inf, 0
        for _ in range(max_outer):
            omega = np.eye(n)[anchor] - constraints.T @ multipliers
            outer = {**args, "country_weights": jnp.asarray(omega), "penalty": penalty}
            # Inner searches need only be as precise as the constraints are satisfied, until the end.
            inner = replace(options, gtol=max(options.gtol, min(1e-5, 1e-2 * previous)))
            x, _, gradient, _, used = bounded_search(x, lower_bounds, upper_bounds, outer, inner, "the talks", game.start)
            solves += used
            log_g = np.log(np.asarray(_adjoint.weighted_log_welfare(jnp.asarray(x), game.start, **outer)[2]))
            violation = constraints @ log_g
            worst = float(np.max(np.abs(violation)))
            if worst <= 0.1 * equal_tol and inner.gtol <= options.gtol:
                return x, gradient, outer, solves, True, multipliers + penalty * violation, penalty
            if penalty >= MAX_PENALTY:  # stalled at a point that does not equalise gains
                return x, gradient, outer, solves, False, multipliers, penalty
            multipliers = multipliers + penalty * violation
            if worst > 0.25 * previous:
                penalty *= 10.0
            previous = worst
        return x, gradient, outer, solves, False, multipliers, penalty

    def first_order_residual(x, gradient):
        return float(np.max(np.abs(np.clip(x + gradient, lower_bounds, upper_bounds) - x)))

    starts = ["the given start" if given_start else "the default start"]
    x, gradient, outer, solves, reached, multipliers, penalty = augmented_lagrangian(x0)
    if not reached:
        # The baseline tariffs are always feasible (every gain is zero): restart from there.
        starts.append("the baseline tariffs")
        baseline_x = np.clip(variables_from_cube(world.tariffs, control, k), lower_bounds, upper_bounds)
        x, gradient, outer, more, reached, multipliers, penalty = augmented_lagrangian(baseline_x)
        solves += more
    for _ in range(POLISH_RESTARTS if reached else 0):
        # Gains are equal but L-BFGS-B stopped (a failed line search under a large penalty) before the
        # gradient vanished. First a fresh search at the final multipliers, without the stale curvature
        # pairs (the `high` version's POL talks from free trade: 2.1e-5 -> 1.6e-6 in 3 steps); if the
        # penalty is so stiff that no step is taken, more outer rounds from here at the updated
        # multipliers with a 100 times smaller penalty, where the valley is not too steep to follow.
        if first_order_residual(x, gradient) <= options.kkt_tolerance:
            break
        before = first_order_residual(x, gradient)
        x, _, gradient, _, more = bounded_search(x, lower_bounds, upper_bounds, outer, options, "the talks", game.start)
        solves += more
        if first_order_residual(x, gradient) > 0.5 * before:
            softer = max(initial_penalty, penalty / 100)
            found = augmented_lagrangian(x, multipliers, softer)
            solves += found[3]
            if found[4]:
                x, gradient, outer, _, _, multipliers, penalty = found
    omega = np.asarray(outer["country_weights"])
    kkt = first_order_residual(x, gradient)
    cube = np.asarray(_adjoint.tariff_cube(jnp.asarray(x), game.fixed, control))
    equilibrium = calibration.model.solve(calibration, Policy(cube, net_exports, "cooperative tariffs"))
    g_hat = equilibrium.government_welfare_hat(weights)
    log_members = np.log(g_hat[members])
    spread = float(np.max(log_members) - np.min(log_members))
    if not (spread <= equal_tol and kkt <= options.kkt_tolerance):
        raise ConvergenceError(
            f"trade talks among {', '.join(world.countries[m] for m in members)}: gains equal only to "
            f"{spread:.2e} in log G_hat (tolerance {equal_tol:g}), first-order residual {kkt:.2e} (tolerance "
            f"{options.kkt_tolerance:g}), from {' and from '.join(starts)}; {int(np.sum(x <= lower_bounds))} of {k} tariffs at the "
            "lower bound. Try other bounds (e.g. lower=UNRESTRICTED_LOWER) or another start."
        )
    return TradeTalks(
        participants=tuple(world.countries[m] for m in members), mfn=mfn, tariffs=cube, equilibrium=equilibrium,
        government_welfare_hat=g_hat, common_gain_pct=float(100 * (np.exp(log_members.mean()) - 1)),
        equal_gain_residual=spread, kkt_residual=kkt, country_weights=omega, solves=solves,
        seconds=time.perf_counter() - clock, upper=float(upper),
        at_upper_bound=upper_bound_labels(variable_labels(world, control, mfn, k), x, float(upper)),
    )


def variable_labels(world: World, control: _adjoint.Control, mfn: bool, k: int) -> list[tuple[str, str, str]]:
    """(importer, partner or "*" for MFN, sector) of each of the ``k`` variables of ``control``."""
    variable = np.asarray(control.variable)
    first = [int(np.argmax(variable == v)) for v in range(k)]
    exporter, importer, sector = (np.asarray(a) for a in (control.exporter, control.importer, control.sector))
    return [(world.countries[importer[c]], "*" if mfn else world.countries[exporter[c]], world.sectors[sector[c]])
            for c in first]


def variables_from_cube(cube: np.ndarray, control: _adjoint.Control, k: int) -> np.ndarray:
    """(K,) the cube's values on the controlled cells, averaged over cells sharing a variable (MFN)."""
    cells = cube[np.asarray(control.exporter), np.asarray(control.importer), np.asarray(control.sector)]
    return np.bincount(np.asarray(control.variable), weights=cells, minlength=k) / np.bincount(
        np.asarray(control.variable), minlength=k)
