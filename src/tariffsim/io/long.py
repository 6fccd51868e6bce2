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

A folder may also hold ``dataset.json`` (``tariffsim data build`` writes one; see ``catalog``): its
``year`` becomes the world's data year, with the country groups of that year (``EU27``, ``EU`` of the
year, ...: ``country_groups.country_groups_for``), and its ``label`` (else ``short`` or ``source`` and
the year) the world's label, so a built folder reads back as the world it was built from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tariffsim._validate import Cell, Locate, Problem
from tariffsim.errors import DataValidationError
from tariffsim.io._problems import at, duplicate_codes, raise_if, repeated
from tariffsim.country_groups import country_groups_for
from tariffsim.io._tables import SUFFIXES, Source, Table, codes, find, load, missing_columns, numbers, positions
from tariffsim.sector_groups import groups_for
from tariffsim.world import World, check_arrays

FLOWS = ("exporter", "importer", "sector", "value", "tariff")
SECTORS = ("sector", "sigma")
COUNTRIES = ("code",)
GROUPS = ("group", "sector")
ALIAS_SEPARATOR = ";"
EXPECTED_FILES = ("flows.{csv,parquet,dta} and sectors.{csv,parquet,dta}, "
                  "optionally countries.* and groups.*")
METADATA_FILE = "dataset.json"
LISTED = 5
"""At most this many file names are quoted when a folder lacks a table (never a whole folder)."""
TABLE_SUFFIXES = (*SUFFIXES, ".txt")


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
        raise DataValidationError(
            f"{folder} lacks {'flows' if flows is None else 'sectors'} table; expected {EXPECTED_FILES}"
            f" ({folder_contents(folder)})"
        )
    meta = read_metadata(folder / METADATA_FILE) if (folder / METADATA_FILE).is_file() else {}
    world = read_long(flows, sectors, find(folder, "countries"), find(folder, "groups"), columns=columns,
                      label=f"long-format tables in {folder}")
    if not meta:
        return world
    year = metadata_year(meta, folder / METADATA_FILE)
    return world.replace(year=year, label=_metadata_label(meta, year, world),
                         country_groups=country_groups_for(world.countries, year))


def folder_contents(path: Path) -> str:
    """What the folder holds, for a message: at most LISTED table-like file names and a count of the rest.

    A folder's whole listing is never quoted (a scenario could point at /etc)."""
    names = sorted(p.name for p in path.iterdir())
    tables = [n for n in names if n.lower().endswith(TABLE_SUFFIXES)]
    shown = tables[:LISTED]
    others = len(names) - len(shown)
    if not names:
        return "found: nothing"
    if not shown:
        return f"found no data tables among its {len(names)} entries"
    more = f" and {others} other entr{'y' if others == 1 else 'ies'}" if others else ""
    return f"found: {', '.join(shown)}{more}"


def read_metadata(path: Path) -> dict[str, Any]:
    """The object in a ``dataset.json`` file; DataValidationError naming the file, line and column of bad JSON."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise DataValidationError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); fix: save the "
                                  "file as UTF-8 JSON") from None
    except json.JSONDecodeError as error:
        raise DataValidationError(f"{path} line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
                                  'fix: write one JSON object, e.g. {"year": 2019, "source": "..."}') from None
    if not isinstance(meta, dict):
        raise DataValidationError(f"{path}: holds a JSON {type(meta).__name__}, not an object; fix: write one JSON "
                                  'object, e.g. {"year": 2019, "source": "..."}')
    return meta


def metadata_year(meta: Mapping[str, Any], path: Path) -> int | None:
    """The data year of a ``dataset.json`` object: ``year``, or the one value of ``years`` (None when neither)."""
    years = meta.get("years")
    value = meta.get("year", years[0] if isinstance(years, list) and len(years) == 1 else None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
        raise DataValidationError(f"{path}: \"year\" is {value!r}, not a year; fix: write the data year as a whole "
                                  'number, e.g. "year": 2019 (or leave it out)')
    return value


def _metadata_label(meta: Mapping[str, Any], year: int | None, world: World) -> str:
    """The ``label`` of ``dataset.json``, else its ``short`` (or ``source``) with the year and the sizes."""
    if isinstance(meta.get("label"), str) and meta["label"].strip():
        return meta["label"].strip()
    source = next((str(meta[k]).strip() for k in ("short", "source") if str(meta.get(k) or "").strip()), "")
    if not source:
        return world.label + (f" ({year})" if year is not None else "")
    dated = f"{source} {year}" if year is not None and str(year) not in source else source
    return f"{dated}: {world.n_countries} economies x {world.n_sectors} sectors"


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
