"""Nash equilibrium of a tariff war: every player's tariffs are a best response to the others'
(MODEL_OSSA2014.md §4.5), found by best-response iteration.

Convergence is judged by two measures, both reported every round: the largest change of any tariff
between rounds, and every government's remaining best-response gain (how much log G_hat it would
still gain by re-optimising against the others' current tariffs). The paper's rule (|mean signed
change| <= 0.01) is reported too but not used: signed changes cancel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games._bounds import OnUpperBound
from tariffsim.games.optimal import OptimalTariffs, SearchOptions, optimal_tariffs
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule, Policy

Method = Literal["jacobi", "gauss-seidel"]


@dataclass(frozen=True)
class Round:
    """One round of best responses: largest and mean signed tariff change, largest remaining gain."""

    number: int
    max_change: float
    mean_signed_change: float
    max_gain: float
    seconds: float


@dataclass(frozen=True, eq=False)
class NashEquilibrium(OnUpperBound):
    """Tariffs where no player gains by changing its own, with the path that led there.

    Attributes:
        players: codes of the countries that chose tariffs (the others kept theirs).
        tariffs: (N,N,S) Nash tariff cube. equilibrium: the verified equilibrium at it.
        government_welfare_hat: (N,) relative to the calibration's baseline.
        rounds: the convergence path. max_gain: largest remaining best-response gain in log G_hat
            (a fraction: 1e-6 = 0.0001%). kkt_residual: largest KKT residual of the last best responses.
        solves: equilibrium solves used. seconds: wall time.
        upper: the upper bound on every chosen tariff. at_upper_bound: ``"player partner sector"`` of the
            last best responses' tariffs on it (partner ``*``: MFN), whose value is the bound's.
    """

    players: tuple[str, ...]
    mfn: bool
    method: str
    tariffs: np.ndarray
    equilibrium: Equilibrium
    government_welfare_hat: np.ndarray
    rounds: tuple[Round, ...]
    max_gain: float
    kkt_residual: float
    solves: int
    seconds: float
    upper: float
    at_upper_bound: tuple[str, ...]

    def to_frame(self):
        """Countries in rows: government welfare and welfare changes (%), median tariff (%), who played."""
        from tariffsim.games.tables import country_frame

        return country_frame(self.equilibrium, self.government_welfare_hat, self.tariffs, self.players)

    def tariff_frame(self):
        """The players' Nash tariffs: exporter, importer, sector, tariff (fraction)."""
        from tariffsim.games.tables import tariff_frame

        return tariff_frame(self.equilibrium.world, self.tariffs, self.players)

    def facts(self) -> dict:
        """Convergence facts: rounds, last tariff change, remaining gain, KKT residual, solves, seconds."""
        return {"rounds": len(self.rounds), "max_tariff_change": self.rounds[-1].max_change,
                "max_gain": self.max_gain, "kkt_residual": self.kkt_residual, "solves": self.solves,
                "seconds": self.seconds, "equilibrium_residual": self.equilibrium.max_residual,
                "upper_bound": self.upper, "at_upper_bound": list(self.at_upper_bound)}

    def rounds_frame(self):
        """One row per round: largest and mean signed tariff change, largest remaining gain, seconds."""
        import pandas as pd

        return pd.DataFrame([{"round": r.number, "max_tariff_change": r.max_change,
                              "mean_signed_change": r.mean_signed_change, "max_gain": r.max_gain,
                              "seconds": r.seconds} for r in self.rounds])


def best_responses(calibration: Calibration, cube: np.ndarray, players: Sequence[str], *, mfn: bool,
                   weights, lower, upper, net_exports, options, method: Method, among_players: bool = False,
                   map_=map) -> tuple[np.ndarray, list[tuple[OptimalTariffs, float]]]:
    """One round: each player's optimal tariffs against ``cube`` (jacobi) or the updated cube
    (gauss-seidel), each with its gain in log G_hat over keeping its current tariffs."""
    world = calibration.world

    def respond(player: str, against: np.ndarray) -> tuple[OptimalTariffs, float]:
        j = world.country_index(player)
        targets = [p for p in players if p != player] if among_players else None
        partners = ([world.country_index(p) for p in targets] if targets
                    else [i for i in range(world.n_countries) if i != j])
        column = against[partners, j, :]
        start = column.mean(axis=0) if mfn else column.T.ravel()
        response = optimal_tariffs(calibration, player, tariffs=against, weights=weights, mfn=mfn, lower=lower,
                                   upper=upper, partners=targets, start=start, net_exports=net_exports,
                                   options=options)
        before = _log_welfare(calibration, against, weights, net_exports)[j]
        return response, float(np.log(response.government_welfare_hat[j]) - before)

    new = cube.copy()
    if method == "jacobi":
        responses = list(map_(lambda p: respond(p, cube), players))
        for player, (response, _) in zip(players, responses):
            j = world.country_index(player)
            new[:, j, :] = response.tariffs[:, j, :]
        return new, responses
    responses = []
    for player in players:
        responses.append(respond(player, new))
        j = world.country_index(player)
        new[:, j, :] = responses[-1][0].tariffs[:, j, :]
    return new, responses


def nash_tariffs(
    calibration: Calibration,
    *,
    players: Sequence[str] | None = None,
    tariffs: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    mfn: bool = False,
    lower: float = 0.0,
    upper: float = 10.0,
    method: Method = "jacobi",
    among_players: bool = False,
    tariff_tol: float = 1e-4,
    gain_tol: float = 1e-7,
    max_rounds: int = 60,
    net_exports: NetExportsRule = "fixed",
    options: SearchOptions | None = None,
    map_: Callable = map,
    on_round: Callable[[Round], None] | None = None,
) -> NashEquilibrium:
    """Best-response iteration to the Nash equilibrium of a tariff war.

    Args:
        players: countries at war (default: all); the others keep their tariffs in ``tariffs``.
        tariffs: (N,N,S) starting cube (default: the world's tariffs).
        mfn: one tariff per sector for all partners.
        method: ``"jacobi"`` (simultaneous; parallel with ``map_``) or ``"gauss-seidel"`` (sequential).
        among_players: players set only the tariffs they levy on each other (a bilateral war); by
            default each player sets its tariffs on every partner. Not with ``mfn``.
        tariff_tol: stop when no tariff changed by more than this in a round (fraction; 1e-4 = 0.01 pp) ...
        gain_tol: ... and no player can gain more than this in log G_hat by re-optimising.
        map_: a ``map``-like function used for a Jacobi round (e.g. a dask client's, see tariffsim.parallel).
        on_round: called after each round (progress bars).
    Raises:
        ConvergenceError: not converged after ``max_rounds``; says the last changes and gains.
    """
    if among_players and mfn:
        raise OptionError("an MFN tariff applies to every partner: a war among the players only cannot be MFN")
    if method not in ("jacobi", "gauss-seidel"):
        raise OptionError(f"method must be 'jacobi' or 'gauss-seidel', not {method!r}")
    world = calibration.world
    players = tuple(world.countries[k] for k in world.country_indices(players or "all"))
    cube = (world.tariffs if tariffs is None else np.asarray(tariffs, dtype=float)).copy()
    weights = np.ones((world.n_countries, world.n_sectors)) if weights is None else np.asarray(weights, float)
    options = options or SearchOptions()
    clock = time.perf_counter()
    rounds: list[Round] = []
    solves = 0
    off_diagonal = ~np.eye(world.n_countries, dtype=bool)
    for number in range(1, max_rounds + 1):
        start = time.perf_counter()
        new, responses = best_responses(calibration, cube, players, mfn=mfn, weights=weights, lower=lower,
                                        upper=upper, net_exports=net_exports, options=options, method=method,
                                        among_players=among_players, map_=map_)
        solves += sum(r.solves + 1 for r, _ in responses)
        gain = max(g for _, g in responses)
        change = new - cube
        record = Round(number, float(np.max(np.abs(change[off_diagonal]))), float(change.mean()), gain,
                       time.perf_counter() - start)
        rounds.append(record)
        if on_round is not None:
            on_round(record)
        cube = new
        if record.max_change <= tariff_tol and record.max_gain <= gain_tol:
            break
    else:
        last = rounds[-1]
        raise ConvergenceError(
            f"Nash tariffs among {', '.join(players)} not converged after {max_rounds} rounds: last largest "
            f"tariff change {last.max_change:.2e} (tolerance {tariff_tol:g}), largest best-response gain "
            f"{last.max_gain:.2e} (tolerance {gain_tol:g}). Try method='gauss-seidel', more rounds, or a "
            "lower upper bound."
        )
    equilibrium = calibration.model.solve(calibration, Policy(cube, net_exports, "Nash tariffs"))
    return NashEquilibrium(
        players=players, mfn=mfn, method=method, tariffs=cube, equilibrium=equilibrium,
        government_welfare_hat=equilibrium.government_welfare_hat(weights), rounds=tuple(rounds),
        max_gain=rounds[-1].max_gain, kkt_residual=max(r.kkt_residual for r, _ in responses), solves=solves,
        seconds=time.perf_counter() - clock, upper=float(np.max(upper)),
        at_upper_bound=tuple(f"{r.country} {cell}" for r, _ in responses for cell in r.at_upper_bound),
    )


def _log_welfare(calibration: Calibration, cube: np.ndarray, weights: np.ndarray, net_exports) -> np.ndarray:
    """(N,) log G_hat at ``cube``."""
    equilibrium = calibration.model.solve(calibration, Policy(cube, net_exports))
    return np.log(equilibrium.government_welfare_hat(weights))
