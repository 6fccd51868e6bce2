"""How much a tariff war depends on the trade elasticity: one war (or one country's optimum) played
under every elasticity set of a world (issue 13 item 4).

``war_under_sets`` plays the same world-scale war (``games.world_nash``: any mode, any players, with
``players=["USA"]`` one country's optimal tariff against passive others) under each set: the world
takes the set's sigma (``World.with_elasticity``), is prepared as the command line prepares it (the
convention's steps, e.g. tariffwar's purge, which depends on sigma; or tariffsim's ``--purge``), is
calibrated, and the war is solved and verified as always. The sets are independent, so they run
through any ``map_`` of ``tariffsim.parallel.executor`` (serially, or on dask), in the order of the sets.

Failures: a set whose war fails its verification stops the sweep with a ConvergenceError that names the
set and the sets that remain to be run by themselves (on dask the other pieces are cancelled). A
summary over the sets that happened to converge would look like the range over all of them while it
is not, so no set is ever dropped.

``WarSweep.summary`` is the per-country range (``sensitivity.range_summary``): median, lowest and
highest tariff % and welfare % over the sets and the set at each extreme.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from tariffsim.conventions import TARIFFSIM, Convention, get_convention
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games._bounds import OnUpperBound
from tariffsim.world import World

VARIABLES = ("tariff %", "welfare %")
"""The columns of ``WorldNash.to_frame`` summarised over the sets."""


@dataclass(frozen=True)
class WarSettings:
    """The war played under every set: what ``world_nash`` takes besides the calibration, and how the
    world is prepared first.

    Attributes:
        model: model name (``tariffsim.models.get_model``). mode: ``uniform``, ``mfn``, ``discriminatory``.
        players: country codes at war (None: every country; one country: its optimum against the others).
        convention: the convention the world is prepared in (``conventions.prepare``) before calibrating.
        purge: purge trade imbalances under each set first (tariffsim convention; tariffwar always does).
        net_exports: ``fixed`` or ``zero``. upper: bound on every tariff (fraction; 1.0 = 100%).
        check: players re-optimised to verify each war (``world_nash``'s ``check``).
    """

    model: str = "krugman"
    mode: str = "uniform"
    players: tuple[str, ...] | None = None
    convention: Convention = TARIFFSIM
    purge: bool = False
    net_exports: str = "fixed"
    upper: float = 10.0
    check: int | str = 8


def war_settings(*, model: str = "krugman", mode: str = "uniform", players: Sequence[str] | None = None,
                 convention: str | Convention | None = None, purge: bool = False, net_exports: str = "fixed",
                 upper: float | None = None, check: int | str = 8) -> WarSettings:
    """``WarSettings`` as the command line chooses them: a convention that prescribes its war (one with a
    ``nash_mode``: tariffwar) replaces ``model``, ``mode`` and ``purge`` with its own, plays on its purged
    baseline (net exports zero) and caps tariffs at its ``tariff_cap``; ``upper`` defaults to that cap, else 10.
    Raises OptionError for an unknown model, mode, net-exports rule or convention (before any set is played)."""
    from tariffsim.games.world_nash import MODES
    from tariffsim.models import get_model

    if mode not in MODES:
        raise OptionError(f"mode {mode!r}: use {', '.join(MODES)}")
    if net_exports not in ("fixed", "zero"):
        raise OptionError(f"net_exports {net_exports!r}: use fixed (at their baseline level) or zero")
    chosen = get_convention(convention)
    if chosen.nash_mode is not None:
        model, mode, purge = chosen.model, chosen.nash_mode, False
        net_exports = "zero" if chosen.purge_first else net_exports
    model = get_model(model).name  # an unknown model fails here, not on every set
    if upper is None:
        upper = chosen.tariff_cap if chosen.tariff_cap is not None else 10.0
    return WarSettings(model, mode, None if players is None else tuple(players), chosen, purge, net_exports,
                       float(upper), check)


@dataclass(frozen=True)
class SetWar(OnUpperBound):
    """One elasticity set's verified war.

    Attributes:
        elasticity: the set's name.
        countries: ``WorldNash.to_frame()``: countries in rows; tariff % (import-weighted mean of the
            country's tariffs), welfare % (real income change), gov. welfare %, player, note.
        tariffs: ``WorldNash.tariff_frame()``: one row per chosen tariff (player, partner, sector, tariff
            as a fraction).
        verification: ``WorldNash.facts()`` (residuals, remaining best-response gains, Newton steps, seconds).
        assumptions: ``tariffsim.assumptions.assumptions`` of the world the war was played on (data,
            year, elasticity set, deficits).
        seconds: wall time of the whole piece: preparing (purging) the world, calibrating, the war.
    """

    elasticity: str
    countries: pd.DataFrame
    tariffs: pd.DataFrame
    verification: dict
    assumptions: dict
    seconds: float

    @property
    def upper(self) -> float:
        """The upper bound on every chosen tariff (``WorldNash.upper``)."""
        return self.verification["upper_bound"]

    @property
    def at_upper_bound(self) -> tuple[str, ...]:
        """``WorldNash.at_upper_bound``: the chosen tariffs on the upper bound, ``"player partner sector"``."""
        return tuple(self.verification["at_upper_bound"])


@dataclass(frozen=True)
class WarSweep:
    """The war under every set: ``wars`` in the order of ``sets``, and ``summary`` (see ``summarise``)."""

    settings: WarSettings
    sets: tuple[str, ...]
    wars: tuple[SetWar, ...]
    summary: pd.DataFrame

    def countries_long(self) -> pd.DataFrame:
        """Every set's country table stacked: columns elasticity, country, tariff %, welfare %, ..."""
        return pd.concat([w.countries.reset_index().assign(elasticity=w.elasticity) for w in self.wars],
                         ignore_index=True)[["elasticity", "country", *self.wars[0].countries.columns]]

    def tariffs_long(self) -> pd.DataFrame:
        """Every set's chosen tariffs stacked: columns elasticity, player, partner, sector, tariff (fraction)."""
        return pd.concat([w.tariffs.assign(elasticity=w.elasticity) for w in self.wars],
                         ignore_index=True)[["elasticity", *self.wars[0].tariffs.columns]]


def war_under_sets(world: World, settings: WarSettings | None = None, *, sets: Sequence[str] | None = None,
                   map_: Callable = map) -> WarSweep:
    """The war of ``settings`` (default: a uniform krugman war of every country) under each set.

    Args:
        world: a world with named elasticity sets (``World.elasticities``; the tariffwar cubes have eight).
        settings: ``war_settings(...)``.
        sets: the sets to play under, in this order (default: all of ``world.elasticities``).
        map_: ``map``-like callable running the independent wars (``parallel.executor``; its
            ``on_result`` callbacks see each finished ``SetWar``).
    Raises:
        OptionError: no sets, an unknown or repeated set name.
        ConvergenceError: a set's war failed its verification (the message names the set).
    """
    settings = settings or war_settings()
    chosen = checked_sets(world, sets)
    wars = tuple(map_(functools.partial(_piece, world, settings, tuple(chosen)), chosen))
    return WarSweep(settings, tuple(chosen), wars, summarise(wars))


def checked_sets(world: World, sets: Sequence[str] | None) -> list[str]:
    """``sets`` (default: all of the world's) after checking each is a set of ``world``, once."""
    from tariffsim._lookup import suggest

    have = list(world.elasticities)
    chosen = have if sets is None else list(sets)
    if not chosen:
        raise OptionError(f"{world.label or 'this world'} has no named elasticity sets to play under: use a world "
                          "cube (icio2011-2022, wiod2000-2014: eight sets; ossa2014: five)")
    for name in chosen:
        if name not in have:
            raise OptionError(f"unknown elasticity set {name!r}.{suggest(name, have)} {world.label or 'This world'} "
                              f"has: {', '.join(have) or 'none'}")
    repeated = sorted({name for name in chosen if chosen.count(name) > 1})
    if repeated:
        raise OptionError(f"elasticity set {', '.join(repeated)} given twice: name each set once")
    return chosen


def war_under_set(world: World, settings: WarSettings, name: str) -> SetWar:
    """The war of ``settings`` on ``world`` with the elasticity set ``name`` (one piece of the sweep)."""
    from tariffsim.assumptions import assumptions
    from tariffsim.games.world_nash import world_nash
    from tariffsim.models import get_model

    clock = time.perf_counter()
    model = get_model(settings.model)
    prepared = prepared_world(world.with_elasticity(name), settings)
    war = world_nash(model.calibrate(prepared), mode=settings.mode, players=settings.players,
                     net_exports=settings.net_exports, upper=settings.upper, check=settings.check)
    return SetWar(name, war.to_frame(), war.tariff_frame(), war.facts(), assumptions(prepared, settings.net_exports),
                  time.perf_counter() - clock)


def _piece(world: World, settings: WarSettings, sets: tuple[str, ...], name: str) -> SetWar:
    """``war_under_set``, with a failure naming the set and the other sets (to play without it)."""
    try:
        return war_under_set(world, settings, name)
    except ConvergenceError as error:
        others = [s for s in sets if s != name]
        hint = (f" To play the other sets without it: --elasticity {','.join(others)} (Python: sets={others})."
                if others else "")
        raise ConvergenceError(f"elasticity set {name}: {error}{hint}") from error


def prepared_world(world: World, settings: WarSettings) -> World:
    """``world`` (already with its set's sigma) in the settings' convention, purged when asked."""
    from tariffsim.conventions import prepare
    from tariffsim.models import get_model
    from tariffsim.purge import purge

    out = prepare(world, settings.convention)
    return purge(out, get_model(settings.model)) if settings.purge else out


def summarise(wars: Sequence[SetWar]) -> pd.DataFrame:
    """Countries in rows; for tariff % and welfare %: median, lowest, highest over the sets and the set at
    each extreme (columns ``"tariff % median"``, ..., ``"welfare % highest under"``); then ``indeterminate
    under``: the sets under which the country's tariff is indeterminate (its welfare does not depend on it,
    ``WorldNash.indeterminate``), comma-separated, or ''."""
    from tariffsim.sensitivity import range_summary

    parts = []
    for variable in VARIABLES:
        by_set = pd.DataFrame({w.elasticity: w.countries[variable] for w in wars})
        parts.append(range_summary(by_set).add_prefix(f"{variable} "))
    notes = pd.DataFrame({w.elasticity: w.countries["note"] == "indeterminate" for w in wars})
    loose = notes.apply(lambda row: ", ".join(row.index[row]), axis=1).rename("indeterminate under")
    return pd.concat([*parts, loose], axis=1).rename_axis("country")
