"""The game view of a pair: best responses, tariff war (threat point), bargaining set, Nash bargaining.

Played on the purged world (trade balanced, as in Ossa 2014) with political-economy weights of one,
so government welfare is real income. The expensive part (about a minute) is cached on disk, keyed
by the world, the pair, the options and the source code that computes it (``SOURCES``). Only the
tariffs of each point and the frontier's welfare values are stored; every point's equilibrium is
solved again from its tariffs and verified, whether the result was computed now or reused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tariffsim.cache import Cache, fingerprint, source_digest
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError
from tariffsim.models import Calibration, Krugman
from tariffsim.policy import Policy
from tariffsim.report.pack import GameSpec
from tariffsim.report.run import verified

NET_EXPORTS = "zero"
KKT_TOLERANCE = 1e-5
# The code that computes the game view (as the game commands' GAME_SOURCES, plus this module): a
# cached game view is reused only while it is unchanged.
SOURCES = ("games", "models", "solve.py", "equilibrium.py", "policy.py", "welfare.py", "world.py", "purge.py",
           "_jax.py", "report/game.py")


@dataclass(frozen=True, eq=False)
class GamePoint:
    """One tariff configuration of the game and its verified equilibrium."""

    name: str
    tariffs: np.ndarray
    equilibrium: Equilibrium

    @property
    def welfare_pct(self) -> np.ndarray:
        """(N,) real-income change from the purged baseline, percent."""
        return 100 * (self.equilibrium.welfare_hat - 1)


@dataclass(frozen=True, eq=False)
class GameView:
    """Points of the pair's game (baseline, each best response, war, bargain) and the frontier.

    Attributes:
        pair: the two countries. points: baseline, best response of each, tariff war, Nash bargain.
        frontier_alpha: (K,) bargaining weights of the first country; frontier_welfare_pct: (K, 2)
            real-income changes (percent) of the pair on the efficient frontier.
        kkt: first-order residuals of each optimisation. seconds: compute time (of the original run).
        reused: whether the optimisations came from the cache.
    """

    pair: tuple[str, str]
    points: tuple[GamePoint, ...]
    frontier_alpha: np.ndarray
    frontier_welfare_pct: np.ndarray
    kkt: dict[str, float]
    seconds: float
    reused: bool


def point_names(pair: tuple[str, str]) -> tuple[str, ...]:
    """Names of the game's points, in order."""
    a, b = pair
    return ("Today's tariffs", f"{a} best response", f"{b} best response", "Tariff war (threat point)",
            "Nash bargaining solution")


def game_view(calibration: Calibration, spec: GameSpec, cache: Cache | None,
              on_step: Callable[[str], None] = lambda step: None) -> GameView:
    """The game view of ``spec.pair`` on ``calibration`` (a purged world), reusing ``cache`` if it can.

    ``on_step(description)`` is called before each long step (progress).
    """
    world = calibration.world
    pair = tuple(world.countries[k] for k in world.country_indices(spec.pair))
    key = fingerprint("report game view", source_digest(SOURCES), world, pair, spec.frontier_points, NET_EXPORTS)
    entry = None if cache is None else cache.get(key)
    if entry is None:
        arrays, meta = _compute(calibration, pair, spec.frontier_points, on_step)
        if cache is not None:
            cache.put(key, arrays, meta)
    else:
        arrays, meta = entry.arrays, entry.meta
    on_step("game: verifying each point's equilibrium")
    names = point_names(pair)
    model = Krugman()
    points = tuple(
        GamePoint(name, arrays[f"tariffs_{k}"],
                  verified(model.solve(calibration, Policy(arrays[f"tariffs_{k}"], NET_EXPORTS, name)), f"game: {name}"))
        for k, name in enumerate(names))
    return GameView(pair=pair, points=points, frontier_alpha=arrays["frontier_alpha"],
                    frontier_welfare_pct=arrays["frontier_welfare_pct"], kkt=meta["kkt"],
                    seconds=meta["seconds"], reused=entry is not None)


def _compute(calibration: Calibration, pair: tuple[str, str], frontier_points: int,
             on_step: Callable[[str], None]) -> tuple[dict[str, np.ndarray], dict]:
    """Best responses and the bargaining of ``pair``: the arrays and metadata the cache stores."""
    from tariffsim.games import bargain, optimal_tariffs

    clock = time.perf_counter()
    a, b = pair
    responses = []
    for country, partner in ((a, b), (b, a)):
        on_step(f"game: {country}'s best tariffs against {partner}")
        responses.append(optimal_tariffs(calibration, country, partners=[partner], net_exports=NET_EXPORTS))
    on_step(f"game: {a}-{b} tariff war and bargaining ({frontier_points} frontier deals)")
    bargaining = bargain(calibration, pair, frontier_points=frontier_points, net_exports=NET_EXPORTS)
    kkt = {f"{a} best response": responses[0].kkt_residual, f"{b} best response": responses[1].kkt_residual,
           "tariff war": bargaining.threat.kkt_residual, "Nash bargaining": bargaining.solution.kkt_residual,
           "frontier (largest)": max(deal.kkt_residual for deal in bargaining.frontier)}
    worst = max(kkt, key=kkt.get)
    if kkt[worst] > KKT_TOLERANCE:
        raise ConvergenceError(f"game view: the {worst} optimisation stopped with first-order residual "
                               f"{kkt[worst]:.2e} > {KKT_TOLERANCE:g}; the report stops here")
    cubes = (calibration.world.tariffs, responses[0].tariffs, responses[1].tariffs, bargaining.threat.tariffs,
             bargaining.solution.tariffs)
    ia, ib = calibration.world.country_indices(pair)
    arrays = {f"tariffs_{k}": np.asarray(cube) for k, cube in enumerate(cubes)}
    arrays["frontier_alpha"] = np.array([deal.bargaining_weight for deal in bargaining.frontier])
    arrays["frontier_welfare_pct"] = np.array([100 * (deal.government_welfare_hat[[ia, ib]] - 1)
                                               for deal in bargaining.frontier])
    return arrays, {"kkt": {k: float(v) for k, v in kkt.items()}, "seconds": time.perf_counter() - clock}
