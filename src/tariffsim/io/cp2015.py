"""Read a world with input-output tables from the long-CSV layout of the cp2015 data set.

The layout (Caliendo and Parro 2015 data as restructured by a public R package; users may write
their own data the same way). A folder holding:

- ``regions.txt``, ``sectors.txt``: one name per line, in world order;
- ``trade.csv``: ``sector, exporter, importer, value, tariff`` and optionally ``tariff_bln``
  (baseline tariff; used instead of ``tariff`` when present) and ``tariff_cfl`` (a counterfactual):
  one row per exporter x importer x sector, domestic rows included; ``value`` at world (pre-tariff)
  prices, tariffs as fractions;
- ``intermediate_consumption.csv``: ``input, sector, region, value``: use of ``input`` by ``sector``
  in ``region`` at buyers' prices, one row per cell;
- ``final_consumption.csv`` and ``value_added.csv``: ``sector, region, value``;
- ``deficit.csv``: ``region, D`` (imports - exports; checked against the trade flows);
- ``theta.csv``: ``sector, value``: trade elasticity theta_s > 0 (the World gets sigma = theta + 1).

Every problem raises DataValidationError naming file, line, column and value (and the fix).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tariffsim._validate import Problem
from tariffsim.errors import DataValidationError
from tariffsim.io._problems import at, raise_if, repeated, require_files
from tariffsim.io._tables import Table, codes, load, missing_columns, numbers, positions
from tariffsim.world import World, check_arrays
from tariffsim.world_io import IOWorld

FILES = ("regions.txt", "sectors.txt", "trade.csv", "intermediate_consumption.csv", "final_consumption.csv",
         "value_added.csv", "deficit.csv", "theta.csv")
DEFICIT_TOLERANCE = 1e-6  # |D in deficit.csv - (imports - exports)| relative to imports + exports


def is_cp2015_folder(path: Path) -> bool:
    """Whether ``path`` looks like the cp2015 layout (trade.csv and intermediate_consumption.csv)."""
    return (path / "trade.csv").is_file() and (path / "intermediate_consumption.csv").is_file()


def read_cp2015(folder: str | os.PathLike[str]) -> IOWorld:
    """The world with input-output tables stored in ``folder`` (see the module docstring).

    The world's ``year`` is 1993 for Caliendo and Parro's own data (``catalog.known_year``: the published
    trade.csv), else None.

    Raises:
        DataValidationError: a missing file or column, an unknown or empty name, a missing or
            duplicate cell, a negative or non-numeric value, tables that do not add up (gross output
            vs sales, final demand vs income, deficits vs flows), each located by file and row.
    """
    from tariffsim.catalog import known_year

    folder = require_files(folder, FILES, "a cp2015-layout folder")
    regions, sectors = (_names(folder / f) for f in ("regions.txt", "sectors.txt"))
    header = f"invalid cp2015-layout data in {folder}"
    trade_t = _table(folder, "trade.csv", ("sector", "exporter", "importer", "value", "tariff"), header)
    baseline_column = "tariff_bln" if trade_t.has("tariff_bln") else "tariff"
    axes = {"exporter": regions, "importer": regions, "sector": sectors}
    flows, row_of = _cube(trade_t, axes, ("value", baseline_column), header)
    theta = _cube(_table(folder, "theta.csv", ("sector", "value"), header), {"sector": sectors}, ("value",), header)[0][0]
    sigma = theta + 1

    def locate(cell) -> str:
        kind, *index = cell
        if kind == "sigma":
            return f"theta.csv, sector {sectors[index[0]]} (theta = sigma - 1)"
        if kind == "country":
            return f"country {regions[index[0]]} (its rows in trade.csv)"
        column = "value" if kind == "trade" else baseline_column
        return trade_t.where(int(row_of[tuple(index)]), column)

    check_arrays(flows[0], flows[1], sigma, regions, sectors, locate=locate, header=header)
    world = World(countries=regions, sectors=sectors, trade=flows[0], tariffs=flows[1], sigma=sigma,
                  label=f"cp2015-layout data in {folder}", year=known_year(folder))
    io_t = _table(folder, "intermediate_consumption.csv", ("input", "sector", "region", "value"), header)
    (intermediate,), _ = _cube(io_t, {"region": regions, "input": sectors, "sector": sectors}, ("value",), header)
    tables = {}
    for name in ("final_consumption.csv", "value_added.csv"):
        table = _table(folder, name, ("sector", "region", "value"), header)
        (tables[name],), rows = _cube(table, {"region": regions, "sector": sectors}, ("value",), header)
        raise_if([Problem("value is negative or not finite", at(table.where(int(rows.ravel()[k]), "value")),
                          float(tables[name].ravel()[k]), "values are levels >= 0")
                  for k in np.flatnonzero(~(tables[name].ravel() >= 0))], header)
    _check_deficits(folder, regions, world, header)
    return IOWorld(world, intermediate, tables["value_added.csv"], tables["final_consumption.csv"])


def read_cp2015_tariffs(folder: str | os.PathLike[str], column: str = "tariff_cfl") -> np.ndarray:
    """(N, N, S) the tariff cube of another column of trade.csv (e.g. NAFTA's ``tariff_cfl``)."""
    folder = require_files(folder, FILES, "a cp2015-layout folder")
    regions, sectors = (_names(folder / f) for f in ("regions.txt", "sectors.txt"))
    header = f"invalid cp2015-layout data in {folder}"
    table = _table(folder, "trade.csv", ("sector", "exporter", "importer", column), header)
    (cube,), _ = _cube(table, {"exporter": regions, "importer": regions, "sector": sectors}, (column,), header)
    return cube


def _names(path: Path) -> list[str]:
    """The non-empty lines of a names file; duplicates are errors, located by line (blank ones count)."""
    numbered = [(k, line.strip()) for k, line in enumerate(path.read_text().split("\n"), 1) if line.strip()]
    names = [name for _, name in numbered]
    problems = [Problem(f"duplicate name {names[later]!r} (also on line {numbered[first][0]})",
                        at(f"{path.name} line {numbered[later][0]}"), names[later], "give every name once")
                for first, later in repeated(np.asarray(names))]
    raise_if(problems, f"invalid names file {path}")
    if not names:
        raise DataValidationError(f"{path} is empty; fix: write one name per line")
    return names


def _table(folder: Path, name: str, required: tuple[str, ...], header: str) -> Table:
    table = load(folder / name, name.removesuffix(".csv"))
    raise_if(missing_columns(table, required), header)
    return table


def _cube(table: Table, axes: dict[str, list[str]], columns: tuple[str, ...], header: str):
    """Dense arrays (one per value column, shape = axis lengths) and the row of every cell.

    Every axis column must hold known names, every cell exactly one row, every value a number.
    """
    problems: list[Problem] = []
    index = []
    for column, known in axes.items():
        found = codes(table, column, problems)
        index.append(positions(table, column, found, known, f"use a name listed in {column_file(column)}", problems))
    values = [numbers(table, column, problems) for column in columns]
    raise_if(problems, header)
    shape = tuple(len(known) for known in axes.values())
    flat = np.ravel_multi_index(tuple(index), shape)
    for first, later in repeated(flat):
        problems.append(Problem(f"duplicate row for the same cell (also at {table.where(first)})",
                                at(table.where(later)), _cell_name(axes, shape, flat[later]),
                                "keep one row per cell (sum duplicates first)"))
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    for k in np.flatnonzero(counts == 0)[:5]:
        problems.append(Problem(f"{table.name} has no row for cell {_cell_name(axes, shape, k)} "
                                f"({int((counts == 0).sum())} cells missing in all)", None, None,
                                "add one row per cell (value 0 where there is none); a sector missing from one "
                                "table must still have its rows"))
    nan_rows = [k for values_ in values for k in np.flatnonzero(np.isnan(values_))]
    problems += [Problem("value is missing", at(table.where(int(k))), "", "fill in the number (0 for none)")
                 for k in nan_rows]
    raise_if(problems, header)
    row_of = np.empty(flat.size, dtype=np.int64)
    row_of[flat] = np.arange(flat.size)
    return [v[row_of].reshape(shape) for v in values], row_of.reshape(shape)


def column_file(column: str) -> str:
    return "regions.txt" if column in ("exporter", "importer", "region") else "sectors.txt"


def _cell_name(axes: dict[str, list[str]], shape, flat_index) -> str:
    position = np.unravel_index(int(flat_index), shape)
    return "(" + ", ".join(f"{c} {known[p]}" for (c, known), p in zip(axes.items(), position, strict=True)) + ")"


def _check_deficits(folder: Path, regions: list[str], world: World, header: str) -> None:
    """deficit.csv must equal imports - exports of the flows (the model takes D from the flows)."""
    table = _table(folder, "deficit.csv", ("region", "d"), header)
    (deficit,), rows = _cube(table, {"region": regions}, ("d",), header)
    implied = world.imports - world.exports
    scale = world.imports + world.exports
    raise_if([Problem(f"deficit differs from imports - exports in trade.csv ({implied[k]:.10g})",
                      at(table.where(int(rows[k]), "d")), float(deficit[k]),
                      "D must be imports minus exports at world prices")
              for k in np.flatnonzero(np.abs(deficit - implied) > DEFICIT_TOLERANCE * scale)], header)
