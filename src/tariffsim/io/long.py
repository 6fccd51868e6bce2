"""Read a world from long-format tables: the format users produce from their own data.

Tables (CSV, Parquet or Stata .dta files, or pandas DataFrames; column names in any case):

- flows: ``exporter, importer, sector, value, tariff``: one row for every exporter x importer x
  sector cell, domestic cells (exporter == importer) included. ``value`` is the flow at world
  (pre-tariff) prices in data units (e.g. US$ million, >= 0); ``tariff`` is the importer's
  ad-valorem tariff as a fraction (0.25 = 25%; 0 on domestic rows).
- sectors: ``sector, sigma`` and optionally ``name``: one row per sector, in world order;
  ``sigma`` is the elasticity of substitution (> 1).
- countries (optional): ``code`` and optionally ``name`` and ``aliases`` (several separated by
  ``;``), one row per country in world order. Without it, the countries are the codes in the flows
  in order of first appearance (exporters first).
- groups (optional): ``group, sector``, one row per member sector. Without it, sectors with GTAP
  codes get the GTAP groups of ``tariffsim.sector_groups``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tariffsim._validate import Cell, Locate, Problem
from tariffsim.errors import DataValidationError
from tariffsim.io._problems import at, duplicate_codes, raise_if, repeated
from tariffsim.io._tables import Source, Table, codes, find, load, missing_columns, numbers, positions
from tariffsim.sector_groups import groups_for
from tariffsim.world import World, check_arrays

FLOWS = ("exporter", "importer", "sector", "value", "tariff")
SECTORS = ("sector", "sigma")
COUNTRIES = ("code",)
GROUPS = ("group", "sector")
ALIAS_SEPARATOR = ";"
EXPECTED_FILES = ("flows.{csv,parquet,dta} and sectors.{csv,parquet,dta}, "
                  "optionally countries.* and groups.*")


def read_long(
    flows: Source,
    sectors: Source,
    countries: Source | None = None,
    groups: Source | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    label: str | None = None,
) -> World:
    """A world from long-format tables (files or DataFrames; see the module docstring).

    Args:
        flows, sectors, countries, groups: the tables, as paths or DataFrames.
        columns: renames flows columns, pandas-style ``{"your_name": "exporter", ...}``.
        label: the world's label (default: names the tables).

    Raises:
        DataValidationError: naming file, line (CSV) or row, column and value of every problem found
            (up to a few), before anything is returned.
    """
    flows_t = load(flows, "flows", columns)
    sectors_t = load(sectors, "sectors")
    countries_t = None if countries is None else load(countries, "countries")
    groups_t = None if groups is None else load(groups, "groups")
    present = [(t, req) for t, req in ((flows_t, FLOWS), (sectors_t, SECTORS), (countries_t, COUNTRIES),
                                       (groups_t, GROUPS)) if t is not None]
    header = f"invalid long-format data ({', '.join(t.name for t, _ in present)})"
    raise_if([p for t, req in present for p in missing_columns(t, req)], header)

    problems: list[Problem] = []
    sector_codes, sigma, sector_names = _sectors(sectors_t, problems)
    exporters, importers, sectors_ = (codes(flows_t, c, problems) for c in ("exporter", "importer", "sector"))
    if countries_t is None:  # the codes in the flows, in order of first appearance
        country_codes = [c for c in dict.fromkeys(exporters.labels + importers.labels) if c]
        country_names, aliases, country_fix = country_codes, {}, ""
    else:
        country_codes, country_names, aliases = _countries(countries_t, problems)
        country_fix = f"add the country to {countries_t.name} or correct the code"
    sector_fix = f"add the sector to {sectors_t.name} (with its sigma) or correct the code"
    index = [positions(flows_t, "exporter", exporters, country_codes, country_fix, problems),
             positions(flows_t, "importer", importers, country_codes, country_fix, problems),
             positions(flows_t, "sector", sectors_, sector_codes, sector_fix, problems)]
    value, tariff = (numbers(flows_t, column, problems) for column in ("value", "tariff"))
    groups_ = groups_for(sector_codes) if groups_t is None else _groups(groups_t, sector_codes, problems)
    raise_if(problems, header)

    shape = (len(country_codes), len(country_codes), len(sector_codes))
    flat = np.ravel_multi_index(tuple(index), shape)
    raise_if(_cell_problems(flows_t, flat, shape, country_codes, sector_codes), header)
    row_of = np.empty(flat.size, dtype=np.int64)  # cube cell (flat) -> flows row
    row_of[flat] = np.arange(flat.size)
    trade, tariffs = (column[row_of].reshape(shape) for column in (value, tariff))
    locate = _locator(flows_t, sectors_t, country_codes, row_of, shape)
    check_arrays(trade, tariffs, sigma, country_codes, sector_codes, locate=locate, header=header)
    return World(countries=country_codes, sectors=sector_codes, trade=trade, tariffs=tariffs, sigma=sigma,
                 country_names=country_names, sector_names=sector_names, sector_groups=groups_,
                 country_aliases=aliases, label=label or f"long-format tables {flows_t.name}, {sectors_t.name}")


def read_long_folder(folder: str | os.PathLike[str], *, columns: Mapping[str, str] | None = None) -> World:
    """A world from a folder holding flows.*, sectors.* and optionally countries.*, groups.*.

    Each table may be .csv, .parquet or .dta (one of them per table); see ``read_long``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataValidationError(f"{folder} is not a folder; fix: give the folder holding {EXPECTED_FILES}")
    flows, sectors = find(folder, "flows"), find(folder, "sectors")
    if flows is None or sectors is None:
        found = sorted(p.name for p in folder.iterdir())
        raise DataValidationError(
            f"{folder} lacks {'flows' if flows is None else 'sectors'} table; expected {EXPECTED_FILES}"
            f" (found: {', '.join(found) or 'nothing'})"
        )
    return read_long(flows, sectors, find(folder, "countries"), find(folder, "groups"), columns=columns,
                     label=f"long-format tables in {folder}")


def _locator(flows: Table, sectors: Table, countries: list[str], row_of: np.ndarray,
             shape: tuple[int, int, int]) -> Locate:
    """Locate check_arrays' cells: cube cells at their flows row, sigma at its sectors row."""

    def locate(cell: Cell) -> str:
        kind, *index = cell
        if kind == "sigma":
            return sectors.where(index[0], "sigma")
        if kind == "country":
            code = countries[index[0]]
            return f"country {code} (its rows in {flows.name}: exporter = {code}, or importer = {code})"
        column = "value" if kind == "trade" else "tariff"
        return flows.where(int(row_of[np.ravel_multi_index(tuple(index), shape)]), column)

    return locate


def _names(table: Table, column: str, default: np.ndarray) -> list[str]:
    """The optional text column ``column`` (empty cells and a missing column fall back to ``default``)."""
    if not table.has(column):
        return list(default)
    text = table.frame[column].astype("string").str.strip().fillna("").to_numpy(dtype=str)
    return [str(t or d) for t, d in zip(text, default, strict=True)]


def _sectors(table: Table, problems: list[Problem]) -> tuple[list[str], np.ndarray, list[str]]:
    """Sector codes, sigma (S,) and long names from the sectors table."""
    sector_codes = list(codes(table, "sector", problems).strings())
    problems += duplicate_codes(sector_codes, lambda k: table.where(k, "sector"), "sector")
    return sector_codes, numbers(table, "sigma", problems), _names(table, "name", sector_codes)


def _countries(table: Table, problems: list[Problem]) -> tuple[list[str], list[str], dict[str, str]]:
    """Country codes, long names and aliases (alias -> code) from the countries table."""
    country_codes = list(codes(table, "code", problems).strings())
    problems += duplicate_codes(country_codes, lambda k: table.where(k, "code"), "country")
    aliases = {}
    if table.has("aliases"):
        for code, text in zip(country_codes, _names(table, "aliases", np.full(len(table.frame), "")),
                              strict=True):
            aliases.update({a.strip(): code for a in text.split(ALIAS_SEPARATOR) if a.strip()})
    return country_codes, _names(table, "name", country_codes), aliases


def _groups(table: Table, sector_codes: list[str], problems: list[Problem]) -> dict[str, list[str]]:
    """Group name -> member sector codes, in the order of the groups table."""
    names = codes(table, "group", problems)
    members = codes(table, "sector", problems)
    positions(table, "sector", members, sector_codes, "use a code of the sectors table, or drop the row", problems)
    groups: dict[str, list[str]] = {}
    for name, member in zip(names.strings(), members.strings(), strict=True):
        groups.setdefault(name, []).append(member)
    return groups


def _cell_problems(flows: Table, flat: np.ndarray, shape: tuple[int, int, int], countries: list[str],
                   sectors: list[str]) -> list[Problem]:
    """Duplicate rows for one exporter-importer-sector cell, and cells without a row."""

    def name(index: int) -> str:
        i, j, s = np.unravel_index(index, shape)
        return f"(exporter {countries[i]}, importer {countries[j]}, sector {sectors[s]})"

    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    problems = [
        Problem(f"duplicate row for cell {name(flat[later])} (also at {flows.where(first)})",
                at(flows.where(later)), name(flat[later]),
                "keep one row per exporter, importer and sector (sum duplicates first)")
        for first, later in (repeated(flat) if counts.max(initial=0) > 1 else [])
    ]
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        examples = ", ".join(name(k) for k in missing[:5])
        problems.append(Problem(
            f"{flows.name} has no row for {missing.size} of {np.prod(shape)} exporter-importer-sector"
            f" cells, e.g. {examples}", None, int(missing.size),
            "add one row per missing cell (value 0 and tariff 0 where there is no trade)"))
    return problems
