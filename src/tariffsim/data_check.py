"""Data-quality checks of a world: what in its data deserves a look before its results are trusted.

``check_world(world)`` is a pure function: a ``World`` in, a list of ``Finding`` out (no printing, no
files). Each finding has a level, a kind, a message, a headline value and the cells it is about
(``Cell``: exporter, importer, sector, value; a part that does not apply is None).

Levels:

- ``"error"``: data no result should be computed from; ``tariffsim data check`` exits with status 1.
  Negative flows, missing (NaN) or infinite values are refused by every reader (and by ``World``), so
  ``check_data`` reports the reader's refusal, with the file, cell and value it names, as an
  ``unreadable`` error, and still runs the other checks where it can: on a world cube, with the refused
  cells set to 0 (a ``checked_without_refused_cells`` warning says so); for other layouts a
  ``not_checked`` warning names the checks that did not run. ``check_world`` adds what a ``World``
  accepts but no data set should hold: tariffs at or above ``tariff_absurd`` (default 10 = 1,000%: a
  percent written where a fraction belongs) and a country with no trade at all (no exports and no
  imports).
- ``"warning"``: data that are valid but unusual, which results may hinge on: tariffs above
  ``tariff_above`` (default 0.5 = 50%), import subsidies (negative tariffs), country-sector pairs with
  zero domestic absorption, sectors with no flows or a share of world sales below ``tiny_sector``,
  trade elasticities epsilon = sigma - 1 below 1 in any elasticity set, the share of cross-border trade
  involving a rest-of-world aggregate (``ROW``), and countries with no imports or no exports.

``check_data(spec)`` reads a data set by name or path (``io.read_world``) and checks it;
``findings_table`` and ``to_json_dict`` turn findings into a pandas table and a JSON document.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from tariffsim.errors import DataValidationError, OptionError
from tariffsim.world import World

if TYPE_CHECKING:
    import pandas as pd

ERROR, WARNING = "error", "warning"
LEVELS = (ERROR, WARNING)
TARIFF_ABOVE = 0.5
"""Tariffs above this (50%) are listed as warnings."""
TARIFF_ABSURD = 10.0
"""Tariffs at or above this (1,000%) are errors: applied sector tariffs in the data sets top out near
513% (ossa2014) and 99.85% (ICIO 2022); 1,000% and more is almost surely a unit slip (25 for 25%)."""
TINY_SECTOR = 1e-4
"""Sectors whose share of world sales (all flows, domestic included) is below this are listed."""
LOW_EPSILON = 1.0
"""Trade elasticities epsilon = sigma - 1 below this are listed (one finding per elasticity set)."""
ROW_PATTERN = re.compile(r"^(row|rest of (the )?world)$", re.IGNORECASE)
SCHEMA = "tariffsim.data_check"


class Cell(NamedTuple):
    """One cell a finding is about; a part that does not apply (e.g. the importer of a sector) is None.
    ``flow`` is the cell's trade flow where the value is about a flow cell (a tariff), else None."""

    exporter: str | None
    importer: str | None
    sector: str | None
    value: float
    flow: float | None = None


@dataclass(frozen=True)
class Finding:
    """One thing ``check_world`` found.

    Attributes:
        level: ``"error"`` (no result should be computed from these data) or ``"warning"``.
        kind: a stable short name, e.g. ``high_tariff``, ``zero_domestic``, ``low_elasticity``.
        message: one line for people, with the count and the most telling cell.
        value: the headline number (a count, a share or the extreme value), or None.
        cells: the cells concerned, most extreme first.
        where: what part of the data the finding is about beyond the cells (e.g. ``elasticity set IS``).
    """

    level: str
    kind: str
    message: str
    value: float | None = None
    cells: tuple[Cell, ...] = ()
    where: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level {self.level!r} is not one of {LEVELS}")


@dataclass(frozen=True)
class CheckReport:
    """What ``check_data`` returns: the data set as given, its world (None when unreadable), the findings."""

    spec: str
    world: World | None
    findings: list[Finding] = field(default_factory=list)
    tariff_above: float = TARIFF_ABOVE

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


def check_world(world: World, tariff_above: float = TARIFF_ABOVE, *, tariff_absurd: float = TARIFF_ABSURD,
                tiny_sector: float = TINY_SECTOR) -> list[Finding]:
    """Every finding about ``world``, errors first (see the module docstring for what is checked)."""
    _check_thresholds(tariff_above, tariff_absurd, tiny_sector)
    findings = [*_tariffs(world, tariff_above, tariff_absurd), *_trade_partners(world),
                *_zero_domestic(world), *_sectors(world, tiny_sector), *_elasticities(world), *_rest_of_world(world)]
    return sorted(findings, key=lambda f: LEVELS.index(f.level))


def check_data(spec: str | os.PathLike[str], *, year: int | None = None, tariff_above: float = TARIFF_ABOVE,
               tariff_absurd: float = TARIFF_ABSURD, tiny_sector: float = TINY_SECTOR) -> CheckReport:
    """Read the data set ``spec`` (as ``io.read_world`` takes it) and check it.

    A data set that is not found raises DataValidationError as usual; one that is found but refused by
    its reader (a negative flow, a missing value, a bad shape) gives a report with an ``unreadable``
    error carrying the reader's message, which names the file, cell, value and fix, and then the other
    findings on the data with the refused cells set to 0 (world cubes), or a ``not_checked`` warning
    naming the checks that could not run (other layouts, or a cube whose names or shapes are wrong).
    """
    from tariffsim import datasets
    from tariffsim.catalog import is_embedded
    from tariffsim.io import read_world, tariffwar

    _check_thresholds(tariff_above, tariff_absurd, tiny_sector)
    if str(spec) != datasets.DEMO and tariffwar.named_cube(spec) is None and not is_embedded(spec):
        datasets.dataset_path(spec)  # not found: an error, not a finding
    try:
        world = read_world(spec, year=year)
    except DataValidationError as error:
        if _is_option_problem(str(error)):
            raise
        refused = Finding(ERROR, "unreadable", str(error), where=str(spec))
        world, note = _world_without_refused_cells(spec, year)
        if world is None:
            return CheckReport(str(spec), None, [refused, Finding(WARNING, "not_checked", note)], tariff_above)
        findings = check_world(world, tariff_above, tariff_absurd=tariff_absurd, tiny_sector=tiny_sector)
        return CheckReport(str(spec), world, sorted([refused, Finding(WARNING, "checked_without_refused_cells", note),
                                                     *findings], key=lambda f: LEVELS.index(f.level)), tariff_above)
    findings = check_world(world, tariff_above, tariff_absurd=tariff_absurd, tiny_sector=tiny_sector)
    return CheckReport(str(spec), world, findings, tariff_above)


CHECKS = ("tariffs at or above tariff_absurd and above --tariff-above", "import subsidies", "countries without "
          "trade, imports or exports", "zero domestic absorption", "zero or tiny sectors", "low elasticities",
          "the share of trade involving ROW")
"""What ``check_world`` looks at, for the message that says which checks did not run."""


def _world_without_refused_cells(spec: str | os.PathLike[str], year: int | None) -> tuple[World | None, str]:
    """For a world cube the reader refuses for its values: (the cube's world with every refused flow and tariff
    cell set to 0 and only the valid elasticity sets, the note saying so), so the other checks still run. For
    any other data set, or a cube whose names or shapes are wrong: (None, the note naming the checks that
    did not run)."""
    from tariffsim._validate import value_problems
    from tariffsim.io import tariffwar
    from tariffsim.io.detect import cube_file

    not_run = (f"the other checks did not run ({'; '.join(CHECKS)}): the reader builds no world from these data; "
               "fix the error above and check again")
    try:
        path = cube_file(spec, year)
        arrays = tariffwar.read_cube_arrays(path) if path is not None else None
    except DataValidationError:
        arrays = None
    if arrays is None:
        return None, not_run
    sets = {name: sigma for name, sigma in arrays.sets.items() if np.all(np.isfinite(sigma) & (sigma > 1))}
    trade, tariffs = np.array(arrays.trade), np.array(arrays.tariffs)
    any_sigma = np.full(trade.shape[2], 2.0)  # the sets were sorted out above: only cells are asked about here
    refused = {p.cell for p in value_problems(trade, tariffs, any_sigma) if p.cell and p.cell[0] in ("trade", "tariff")}
    for kind, *index in refused:
        (trade if kind == "trade" else tariffs)[tuple(index)] = 0.0
    dropped = [name for name in arrays.sets if name not in sets]
    try:
        world = tariffwar.cube_world(arrays.family, arrays.year, arrays.countries, arrays.sectors, trade, tariffs, sets,
                                     tariffwar.DEFAULT_ELASTICITY if tariffwar.DEFAULT_ELASTICITY in sets
                                     else next(iter(sets)), note="; refused cells set to 0 for the check")
    except (DataValidationError, StopIteration):
        return None, not_run
    counts = {what: sum(kind == k for kind, *_ in refused) for k, what in (("trade", "flow"), ("tariff", "tariff"))}
    cells = ", ".join(f"{n} {what}{'s' if n != 1 else ''}" for what, n in counts.items() if n)
    return world, (f"the checks below ran on the cube with the cells the reader refuses set to 0 ({cells or 'none'})"
                   + (f" and without the elasticity sets with invalid values ({', '.join(dropped)})" if dropped else "")
                   + "; fix the error above and check again")


def _is_option_problem(message: str) -> bool:
    """A refusal about how the data set was asked for (--year), not about its content."""
    return "--year" in message


def _check_thresholds(tariff_above: float, tariff_absurd: float, tiny_sector: float) -> None:
    if not (np.isfinite(tariff_above) and tariff_above >= 0):
        raise OptionError(f"--tariff-above {tariff_above!r}: give a fraction of 0 or more (0.5 = 50%)")
    if not (np.isfinite(tariff_absurd) and tariff_absurd > tariff_above):
        raise OptionError(f"tariff_absurd {tariff_absurd!r}: give a level above --tariff-above ({tariff_above!r})")
    if not (np.isfinite(tiny_sector) and 0 <= tiny_sector < 1):
        raise OptionError(f"tiny_sector {tiny_sector!r}: give a share between 0 and 1 (1e-4 = 0.01%)")


# ------------------------------------------------------------------------------------------ checks
def _cells(world: World, mask: np.ndarray, values: np.ndarray, *, descending: bool = True) -> tuple[Cell, ...]:
    """The (exporter, importer, sector) cells where ``mask`` holds with their flows, most extreme value
    first (then the largest flow)."""
    index = np.argwhere(mask)
    picked, flows = values[mask], world.trade[mask]
    order = np.lexsort((-flows, -picked if descending else picked))
    return tuple(Cell(world.countries[i], world.countries[j], world.sectors[s], float(v), float(x))
                 for (i, j, s), v, x in zip(index[order], picked[order], flows[order], strict=True))


def _most(cells: Sequence[Cell], part: str, n: int = 5) -> str:
    """``SAU 74, ARE 74, ...``: the most frequent importers (or sectors) among ``cells``."""
    from collections import Counter

    counts = Counter(getattr(c, part) for c in cells).most_common()
    shown = ", ".join(f"{name} {count:,}" for name, count in counts[:n])
    return shown + (", ..." if len(counts) > n else "")


def _pct(value: float) -> str:
    return f"{100 * value:,.2f}%"


def _tariffs(world: World, above: float, absurd: float) -> list[Finding]:
    t, trade = world.tariffs, world.trade
    findings = []
    for level, kind, mask, what in (
        (ERROR, "absurd_tariff", t >= absurd,
         f"at or above {_pct(absurd)} (a unit slip? tariffs are fractions: 0.25 = 25%)"),
        (WARNING, "high_tariff", (t > above) & (t < absurd), f"above {_pct(above)}"),
    ):
        if mask.any():
            cells = _cells(world, mask, t)
            on_zero = int((mask & (trade == 0)).sum())
            top = cells[0]
            findings.append(Finding(level, kind, (
                f"{len(cells):,} tariff{'s' if len(cells) > 1 else ''} {what}; highest {_pct(top.value)}: "
                f"{top.importer} on {top.sector} from {top.exporter}; by importer: {_most(cells, 'importer')}; "
                f"by sector: {_most(cells, 'sector')}"
                + (f"; {on_zero:,} of them on cells without trade" if on_zero else "")), float(len(cells)), cells))
    subsidy = t < 0
    if subsidy.any():
        cells = _cells(world, subsidy, t, descending=False)
        findings.append(Finding(WARNING, "negative_tariff", (
            f"{len(cells):,} negative tariff{'s' if len(cells) > 1 else ''} (import subsidies); lowest "
            f"{_pct(cells[0].value)}: {cells[0].importer} on {cells[0].sector} from {cells[0].exporter}"),
            float(len(cells)), cells))
    return findings


def _foreign(world: World) -> np.ndarray:
    """(N, N, S) cross-border flows (domestic cells 0), computed here with numpy: ``World.foreign_trade``
    imports the equilibrium module and with it JAX, seconds a data check need not spend."""
    foreign = world.trade.copy()
    idx = np.arange(world.n_countries)
    foreign[idx, idx, :] = 0.0
    return foreign


def _trade_partners(world: World) -> list[Finding]:
    foreign = _foreign(world)
    exports, imports = foreign.sum(axis=(1, 2)), foreign.sum(axis=(0, 2))
    findings = []
    isolated = (exports == 0) & (imports == 0)
    for level, kind, mask, what, as_exporter in (
        (ERROR, "no_trade", isolated, ("trade with no other country at all (no exports, no imports); fix: drop "
                                       "the country or merge it into a region"), True),
        (WARNING, "zero_exports", (exports == 0) & ~isolated, "export nothing", True),
        (WARNING, "zero_imports", (imports == 0) & ~isolated, "import nothing", False),
    ):
        names = [world.countries[i] for i in np.flatnonzero(mask)]
        if names:
            cells = tuple(Cell(n, None, None, 0.0) if as_exporter else Cell(None, n, None, 0.0) for n in names)
            findings.append(Finding(level, kind, f"{len(names)} countr{'ies' if len(names) > 1 else 'y'} {what}: "
                                    f"{', '.join(names[:10])}{', ...' if len(names) > 10 else ''}",
                                    float(len(names)), cells))
    return findings


def _zero_domestic(world: World) -> list[Finding]:
    idx = np.arange(world.n_countries)
    domestic = world.trade[idx, idx, :]  # (N, S)
    zero = np.argwhere(domestic == 0)
    if not len(zero):
        return []
    imports = _foreign(world).sum(axis=0)  # (importer, S): what each country buys of the sector abroad
    cells = tuple(Cell(world.countries[i], world.countries[i], world.sectors[s], 0.0, float(imports[i, s]))
                  for i, s in zero)
    buys = int(sum(imports[i, s] > 0 for i, s in zero))
    countries = sorted({c.exporter for c in cells})
    return [Finding(WARNING, "zero_domestic", (
        f"{len(cells):,} country-sector pairs with zero domestic absorption (X[i, i, s] = 0) in "
        f"{len(countries)} countries; {buys:,} of them buy the sector only from abroad"), float(len(cells)), cells)]


def _sectors(world: World, tiny: float) -> list[Finding]:
    sales = world.trade.sum(axis=(0, 1))
    total = sales.sum()
    share = sales / total if total > 0 else np.zeros_like(sales)
    findings = []
    zero = np.flatnonzero(sales == 0)
    if len(zero):
        names = [world.sectors[s] for s in zero]
        findings.append(Finding(WARNING, "zero_sector", f"{len(names)} sector{'s' if len(names) > 1 else ''} with no "
                                f"flows at all: {', '.join(names)}", float(len(names)),
                                tuple(Cell(None, None, n, 0.0) for n in names)))
    small = np.flatnonzero((sales > 0) & (share < tiny))
    if len(small):
        small = small[np.argsort(share[small])]
        cells = tuple(Cell(None, None, world.sectors[s], float(share[s])) for s in small)
        findings.append(Finding(WARNING, "tiny_sector", (
            f"{len(cells)} sector{'s' if len(cells) > 1 else ''} below {tiny:g} of world sales (domestic included); "
            f"smallest {cells[0].sector} at {cells[0].value:.2g}"), float(len(cells)), cells))
    return findings


def _elasticities(world: World) -> list[Finding]:
    sets = dict(world.elasticities) or {world.elasticity or "sigma": world.sigma}
    findings = []
    for name, sigma in sets.items():
        epsilon = np.asarray(sigma) - 1.0
        low = np.flatnonzero(epsilon < LOW_EPSILON)
        if not len(low):
            continue
        low = low[np.argsort(epsilon[low])]
        cells = tuple(Cell(None, None, world.sectors[s], float(epsilon[s])) for s in low)
        shown = ", ".join(f"{c.sector} {c.value:.2f}" for c in cells[:5])
        findings.append(Finding(WARNING, "low_elasticity", (
            f"elasticity set {name}: {len(cells)} sector{'s' if len(cells) > 1 else ''} with trade elasticity "
            f"epsilon = sigma - 1 below {LOW_EPSILON:g} ({shown}{', ...' if len(cells) > 5 else ''}): accepted by "
            "models with sigma = epsilon + 1; models needing epsilon > 1 may not accept them"),
            float(cells[0].value), cells, where=f"elasticity set {name}"))
    return findings


def rest_of_world(world: World) -> list[int]:
    """Positions of rest-of-world aggregates: code or name ``ROW`` / ``Row`` / ``rest of (the) world``."""
    return [k for k, (code, name) in enumerate(zip(world.countries, world.country_names, strict=True))
            if ROW_PATTERN.match(code.strip()) or ROW_PATTERN.match(name.strip())]


def _rest_of_world(world: World) -> list[Finding]:
    rows = rest_of_world(world)
    foreign = _foreign(world)
    total = foreign.sum()
    if not rows or total <= 0:
        return []
    involved = np.zeros(foreign.shape[:2], dtype=bool)
    involved[rows, :] = True
    involved[:, rows] = True
    share = float(foreign.sum(axis=2)[involved].sum() / total)
    names = [world.countries[k] for k in rows]
    exports, imports = (float(foreign[rows].sum() / total), float(foreign[:, rows].sum() / total))
    cells = (tuple(Cell(n, None, None, float(foreign[k].sum() / total)) for n, k in zip(names, rows, strict=True))
             + tuple(Cell(None, n, None, float(foreign[:, k].sum() / total)) for n, k in zip(names, rows, strict=True)))
    return [Finding(WARNING, "row_share", (
        f"{_pct(share)} of cross-border trade involves {', '.join(names)} (exports {_pct(exports)}, imports "
        f"{_pct(imports)}): an aggregate of many countries, whose results are no one country's"), share, cells)]


# ----------------------------------------------------------------------------------- tables at the edge
VALUE_LABELS = {
    "absurd_tariff": ("tariff %", 100.0), "high_tariff": ("tariff %", 100.0), "negative_tariff": ("tariff %", 100.0),
    "zero_domestic": ("domestic", 1.0),  # shown as the imports of the pair (see cells_table)
    "zero_sector": ("sales", 1.0), "tiny_sector": ("share of world %", 100.0),
    "low_elasticity": ("epsilon", 1.0), "row_share": ("share of trade %", 100.0),
    "zero_exports": ("exports", 1.0), "zero_imports": ("imports", 1.0), "no_trade": ("trade", 1.0),
}


def cells_table(finding: Finding) -> pd.DataFrame:
    """The cells of one finding as a table: the parts that apply (exporter, importer, sector), the value
    in display units (``VALUE_LABELS``: tariffs and shares in %) and, for tariffs, the flow."""
    import pandas as pd

    label, scale = VALUE_LABELS.get(finding.kind, ("value", 1.0))
    frame = pd.DataFrame(finding.cells, columns=list(Cell._fields))
    parts = [c for c in ("exporter", "importer", "sector") if frame[c].notna().any()]
    if finding.kind == "zero_domestic":  # the value is 0 throughout: show what the country imports instead
        shown = frame.rename(columns={"exporter": "country"})[["country", "sector"]].copy()
        shown["imports"] = frame["flow"].astype(float)
        return shown
    shown = frame[parts].fillna("").copy()
    shown[label] = frame["value"] * scale
    if frame["flow"].notna().any():
        shown["flow"] = frame["flow"].astype(float)
    return shown


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Every cell of every finding, one row each: level, kind, where, exporter, importer, sector, value
    (a finding without cells gives one row with its headline value)."""
    import pandas as pd

    rows = [{"level": f.level, "kind": f.kind, "where": f.where, **c._asdict()}
            for f in findings for c in (f.cells or (Cell(None, None, None, f.value if f.value is not None
                                                         else float("nan")),))]
    return pd.DataFrame(rows, columns=["level", "kind", "where", *Cell._fields])


def to_json_dict(report: CheckReport) -> dict:
    """The report as a JSON-ready document (schema ``tariffsim.data_check``), every cell included."""
    world = report.world
    return {
        "schema": SCHEMA,
        "data": report.spec,
        "label": world.label if world is not None else None,
        "year": world.year if world is not None else None,
        "elasticity": (world.elasticity or None) if world is not None else None,
        "countries": world.n_countries if world is not None else None,
        "sectors": world.n_sectors if world is not None else None,
        "tariff_above": report.tariff_above,
        "counts": {level: sum(f.level == level for f in report.findings) for level in LEVELS},
        "findings": [{"level": f.level, "kind": f.kind, "message": f.message, "value": f.value, "where": f.where,
                      "cells": [c._asdict() for c in f.cells]} for f in report.findings],
    }
