"""The bargaining view of a pair of countries: threat point, bargaining set, Nash bargaining solution.

The threat point is the pair's tariff war: their Nash equilibrium when each sets its tariffs on the
other (MFN: on everyone), all other tariffs fixed.
A deal is a choice of the tariffs the two levy on each other; it is in the bargaining set if both
governments are better off than at the threat point. The Nash bargaining solution maximises the
product of the two gains over the threat point, (G_A - T_A)(G_B - T_B); the generalised solutions
with bargaining weights alpha and 1 - alpha trace the efficient frontier of the set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from tariffsim._jax import jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import _adjoint
from tariffsim.games.nash import NashEquilibrium, nash_tariffs
from tariffsim.games.optimal import SearchOptions, bounded_search
from tariffsim.games.talks import POLISH_RESTARTS, cooperative_tariffs, rebase, talks_control, variables_from_cube
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule, Policy


@dataclass(frozen=True, eq=False)
class Deal:
    """A point of the bargaining set: the pair's tariffs on each other and everyone's G_hat."""

    bargaining_weight: float
    tariffs: np.ndarray
    government_welfare_hat: np.ndarray
    kkt_residual: float


@dataclass(frozen=True, eq=False)
class Bargaining:
    """Threat point, Nash bargaining solution and efficient frontier for ``pair``.

    All G_hat are relative to the calibration's baseline (usually the factual tariffs).

    Attributes:
        threat: the pair's tariff war (a NashEquilibrium).
        solution: the Nash bargaining solution (alpha = 0.5). equilibrium: verified, at the solution.
        frontier: efficient deals for bargaining weights alpha of the first country, in order.
    """

    pair: tuple[str, str]
    threat: NashEquilibrium
    solution: Deal
    equilibrium: Equilibrium
    frontier: tuple[Deal, ...]
    seconds: float

    def to_frame(self):
        """One row per point: the threat (war), the Nash bargaining solution and the frontier deals, with
        the pair's government-welfare changes (%) and bargaining weight alpha of the first country."""
        import pandas as pd

        world = self.equilibrium.world
        a, b = (world.country_index(c) for c in self.pair)
        points = [("threat", np.nan, self.threat.government_welfare_hat), ("solution", 0.5,
                  self.solution.government_welfare_hat)]
        points += [("frontier", d.bargaining_weight, d.government_welfare_hat) for d in self.frontier]
        return pd.DataFrame([{"point": name, "alpha": alpha, f"{self.pair[0]} gov. welfare %": 100 * (g[a] - 1),
                              f"{self.pair[1]} gov. welfare %": 100 * (g[b] - 1)} for name, alpha, g in points])


def bargain(calibration: Calibration, pair: tuple[str, str], *, weights: np.ndarray | None = None,
            mfn: bool = False, upper: float = 10.0, frontier_points: int = 7,
            net_exports: NetExportsRule = "fixed", options: SearchOptions | None = None) -> Bargaining:
    """Threat point, bargaining set and Nash bargaining solution of two countries.

    Args:
        pair: the two countries (codes or names). weights: (N,S) political-economy weights.
        mfn: whether tariffs (in the war and in the deal) must be MFN; an MFN deal changes the pair's
            tariffs on everyone.
        frontier_points: number of generalised solutions (alpha from 0.1 to 0.9) on the frontier.
    """
    world = calibration.world
    if len(pair) != 2:
        raise OptionError(f"bargaining needs exactly two countries, got {list(pair)}")
    a, b = world.country_indices(pair)
    if a == b:
        raise OptionError("bargaining needs two different countries")
    options = options or SearchOptions(ftol=0.0, kkt_tolerance=1e-5)
    clock = time.perf_counter()
    weights = np.ones((world.n_countries, world.n_sectors)) if weights is None else np.asarray(weights, float)
    threat = nash_tariffs(calibration, players=[world.countries[a], world.countries[b]], weights=weights,
                          mfn=mfn, among_players=not mfn, upper=upper, net_exports=net_exports)
    threat_welfare = threat.government_welfare_hat
    # Start inside the bargaining set: the pair's equal-gains deal relative to the war.
    war_world = rebase(world, threat.tariffs, calibration.model, net_exports)
    war_calibration = calibration.model.calibrate(war_world)
    start = cooperative_tariffs(war_calibration, participants=[world.countries[a], world.countries[b]],
                                weights=weights, mfn=mfn, upper=upper, net_exports=net_exports).tariffs
    control = talks_control(world, [a, b], mfn)
    k = int(np.asarray(control.variable).max()) + 1
    x = variables_from_cube(start, control, k)
    game = _adjoint.problem(calibration, threat.tariffs, net_exports, "bargaining")
    args = dict(**game.kwargs, control=control, weights=jnp.asarray(weights), threat=jnp.asarray(threat_welfare))
    lower_bounds, upper_bounds = np.zeros(k), np.full(k, upper)

    def deal(alpha: float, x0: np.ndarray) -> Deal:
        omega = np.zeros(world.n_countries)
        omega[a], omega[b] = alpha, 1 - alpha
        run_args = {**args, "country_weights": jnp.asarray(omega)}
        found = x0
        for _ in range(1 + POLISH_RESTARTS):
            # A fresh search from where the last stopped, without its stale curvature pairs, when L-BFGS-B
            # stopped (a failed line search on the flat Nash product) before the gradient vanished.
            found, value, gradient, _, _ = bounded_search(found, lower_bounds, upper_bounds, run_args, options,
                                                   "the bargaining", game.start)
            if value <= -1e5:
                raise ConvergenceError(f"bargaining between {pair[0]} and {pair[1]} left the bargaining set "
                                       f"(alpha {alpha}); the war may already be efficient")
            kkt = float(np.max(np.abs(np.clip(found + gradient, lower_bounds, upper_bounds) - found)))
            if kkt <= options.kkt_tolerance:
                break
        g_hat = np.asarray(_adjoint.weighted_log_welfare(jnp.asarray(found), game.start, **run_args)[2])
        cube = np.asarray(_adjoint.tariff_cube(jnp.asarray(found), game.fixed, control))
        return Deal(alpha, cube, g_hat, kkt)

    solution = deal(0.5, x)
    if solution.kkt_residual > options.kkt_tolerance:
        raise ConvergenceError(f"Nash bargaining solution of {pair[0]} and {pair[1]}: first-order residual "
                               f"{solution.kkt_residual:.2e} > {options.kkt_tolerance:g}")
    solution_x = variables_from_cube(solution.tariffs, control, k)
    frontier = tuple(deal(alpha, solution_x) for alpha in np.linspace(0.1, 0.9, frontier_points))
    equilibrium = calibration.model.solve(
        calibration, Policy(solution.tariffs, net_exports, f"Nash bargaining solution {pair[0]}-{pair[1]}"))
    return Bargaining(pair=(world.countries[a], world.countries[b]), threat=threat, solution=solution,
                      equilibrium=equilibrium, frontier=frontier, seconds=time.perf_counter() - clock)
