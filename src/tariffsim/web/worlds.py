"""What the web app can solve on: data sets chosen by name (never a path), models, elasticity sets.

``choices()`` lists the worlds of ``tariffsim.catalog`` (the embedded ``icio2022``, ``$TARIFFSIM_DATA``'s
data sets, the demo world) as ``WorldChoice`` rows: a cube family (``icio``, ``wiod``) is one row with
a year each; any other data set is one row and one year. ``resolve(world, year)`` turns the form's
choice into the data-set name that ``io.read_world`` takes, and refuses anything that is not one of the
listed names with a message that says so (a path typed into the field never reaches the file system).

``calibration(model, name, elasticity)`` reads and calibrates once per combination (a small LRU cache),
so a second run on the same world is warm.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

from tariffsim.errors import OptionError

DEFAULT_WORLD = "icio2022"
DEFAULT_MODEL = "krugman"
GRAVITY_KIND = "gravity panel"
"""Catalog rows of this kind are inputs of ``tariffsim gravity``, not worlds to solve on."""
CACHED_WORLDS = 4


@dataclass(frozen=True)
class WorldChoice:
    """One row of the form's world list: ``key`` (what the form sends), a label, ``names`` year -> name
    (``None`` as year for a data set without one), and whether it is a cube with elasticity sets."""

    key: str
    label: str
    names: dict
    cube: bool

    @property
    def years(self) -> list:
        return [y for y in self.names if y is not None]


_discovering = threading.Lock()


def choices() -> tuple[WorldChoice, ...]:
    """The worlds, the default one first (discovered once per process: a request that comes while the
    start-up warm-up discovers them waits for it)."""
    with _discovering:
        return _discover()


@functools.cache
def _discover() -> tuple[WorldChoice, ...]:
    from tariffsim import catalog

    rows = []
    for entry in catalog.discover().datasets:
        if entry.kind == GRAVITY_KIND or entry.problem:
            continue
        names = entry.names or (entry.name,)
        if len(names) > 1:  # a cube family: icio2011 ... icio2022
            key = re.sub(r"\d+$", "", names[0])
            by_year = {int(re.search(r"(\d+)$", n).group(1)): n for n in names}
        else:
            key = names[0]
            by_year = {entry.years[0] if len(entry.years) == 1 else None: names[0]}
        cube = "cube" in entry.kind
        rows.append(WorldChoice(key, f"{key}: {entry.short or entry.source} ({entry.shape_text})", by_year, cube))
    rows.sort(key=lambda row: DEFAULT_WORLD not in row.names.values())
    return tuple(rows)


def default_choice() -> WorldChoice:
    return choices()[0]


def resolve(world: str, year: str | int | None = None) -> tuple[WorldChoice, str]:
    """(the choice, the data-set name) for the form's ``world`` and ``year``; OptionError naming the
    field, the value and the names to choose from when it is not a listed data set."""
    known = {row.key: row for row in choices()}
    for row in choices():  # a full name such as icio2018 is as good as world=icio, year=2018
        known.update({name: row for name in row.names.values()})
    row = known.get(str(world).strip())
    if row is None:
        raise OptionError(f"world = {str(world)[:80]!r}: not a data set of this app; the web app takes a data-set "
                          f"name, never a path; fix: choose one of {', '.join(r.key for r in choices())}")
    if world in row.names.values():  # a full name: its own year only
        years = {y: n for y, n in row.names.items() if n == world}
    else:
        years = row.names
    if year in (None, ""):
        return row, years[max(years, key=lambda y: y or 0)]
    try:
        chosen = int(year)
    except ValueError:
        raise OptionError(f"year = {str(year)[:20]!r}: not a whole number; fix: {_year_fix(years)}") from None
    if chosen not in years:
        raise OptionError(f"year = {chosen}: {world} has no data for it; fix: {_year_fix(years)}")
    return row, years[chosen]


def _year_fix(years: dict) -> str:
    known = [str(y) for y in years if y is not None]
    return f"choose one of {', '.join(known)}" if known else "leave the year empty (the data set has one)"


def models() -> list[str]:
    from tariffsim.models import MODELS

    return list(MODELS)


def elasticity_sets() -> list[str]:
    """The elasticity sets of world cubes (other data sets carry their own)."""
    from tariffsim.io.tariffwar import ELASTICITY_SOURCES

    return list(ELASTICITY_SOURCES)


def check_elasticity(row: WorldChoice, elasticity: str | None) -> str | None:
    """``elasticity`` (None when empty) if the world takes it; OptionError with the choices otherwise."""
    if not elasticity:
        return None
    if not row.cube or elasticity not in elasticity_sets():
        allowed = ", ".join(elasticity_sets()) if row.cube else "none (leave it empty: the data set's own)"
        raise OptionError(f"elasticity = {elasticity[:40]!r}: {row.key} has no such elasticity set; fix: choose "
                          f"{allowed}")
    return elasticity


def check_model(model: str) -> str:
    if model not in models():
        raise OptionError(f"model = {model[:40]!r}: unknown model; fix: choose one of {', '.join(models())}")
    return model


_calibrating = threading.Lock()


def calibration(model: str, name: str, elasticity: str | None):
    """(solver, world, calibration) of ``model`` on the data set ``name`` (a name from ``resolve``),
    cached: a warm run skips reading and calibrating."""
    with _calibrating:  # one reader at a time: two first runs on one world read it once
        return _calibrated(model, name, elasticity)


@functools.lru_cache(maxsize=CACHED_WORLDS)
def _calibrated(model: str, name: str, elasticity: str | None):
    from tariffsim.cli._calibrate import calibrated

    return calibrated(model, name, None, False, elasticity=elasticity)


WARM_UP_POINTS = 0.1
"""The warm-up solves every tariff plus this many points once, so the solver is compiled for the world."""


def warm_up() -> None:
    """Find the data sets, calibrate the default model on the default world, solve it once and tabulate
    the result (compiling the solver and the result variables), for ``Settings.warm_up``; a failure here is left for the first request to report."""
    from tariffsim.errors import TariffsimError
    from tariffsim.policy import Policy
    from tariffsim.results import to_json_dict

    try:
        _, name = resolve(default_choice().key)
        solver, world, calibrated = calibration(DEFAULT_MODEL, name, None)
        to_json_dict(solver.solve(calibrated, Policy(world.tariffs + WARM_UP_POINTS / 100, name="warm-up")))
    except TariffsimError:
        pass
