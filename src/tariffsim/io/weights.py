"""Political-economy weights lambda (MODEL_OSSA2014.md §3.6) from a table, checked against a world.

Two layouts, as CSV, Parquet or Stata files (or a DataFrame):

- wide: one row per country, the country code in the first column, one column per sector code::

      country,agr,mfg
      USA,1.2,0.9

- long: columns ``country``, ``sector`` and ``weight``, one row per country and sector.

Every country and sector of the world needs a weight; weights are finite and >= 0, with at least one
positive weight per country (only relative weights within a country matter). Problems are reported
together, each with file, line (CSV) or row, column and value.
"""

from __future__ import annotations

import numpy as np

from tariffsim._validate import Problem
from tariffsim.io._problems import at, raise_if
from tariffsim.io._tables import Source, Table, check_header, codes, load, missing_columns, numbers, positions
from tariffsim.world import World

LONG = ("country", "sector", "weight")


def read_weights(source: Source, world: World) -> np.ndarray:
    """(N, S) weights for ``world``'s countries and sectors, in its order.

    Raises:
        DataValidationError: unknown or missing countries and sectors, repeated cells, non-numeric,
            negative or non-finite weights, or a country whose weights are all zero.
    """
    table = load(source, "weights")
    header = f"invalid political-economy weights in {table.name}"
    problems: list[Problem] = []
    if all(table.has(c) for c in LONG):
        rows, columns, values, locations = _long_cells(table, world, problems)
    else:
        raise_if(missing_columns(table, ["country"]) if len(table.frame.columns) < 2 else [], header)
        if not set(table.frame.columns[1:]) & {sector.lower() for sector in world.sectors}:  # line 1 is data?
            raise_if(check_header(table, ",".join(["country", *world.sectors])), header)
        rows, columns, values, locations = _wide_cells(table, world, problems)
    raise_if(problems, header)
    n, s = world.n_countries, world.n_sectors
    weights, where = np.full((n, s), np.nan), np.full((n, s), "", dtype=object)
    for i, k, value, location in zip(rows, columns, values.tolist(), locations, strict=True):
        if where[i, k]:
            problems.append(Problem(f"weight of {world.countries[i]}, {world.sectors[k]} given twice (also at "
                                    f"{where[i, k]})", at(location), value, "keep one row per country and sector"))
        weights[i, k], where[i, k] = value, location
        if not (np.isfinite(value) and value >= 0):
            problems.append(Problem("weights must be finite and >= 0", at(location), value,
                                    "write a non-negative number (1 = the industry counts like consumers)"))
    missing = np.argwhere(where == "")
    problems += [Problem(f"no weight for {world.countries[i]}, {world.sectors[k]}", None, None,
                         f"add it to {table.name} (every country and sector of the world needs one)")
                 for i, k in missing]
    raise_if(problems, header)
    problems += [Problem(f"all weights of {world.countries[i]} are zero", None, 0.0,
                         "give at least one positive weight (use 1 everywhere for plain welfare)")
                 for i in np.flatnonzero(weights.sum(axis=1) <= 0)]
    raise_if(problems, header)
    return weights


def _long_cells(table: Table, world: World, problems: list[Problem]):
    """(country positions, sector positions, values, locations) of a long table, one per row."""
    countries, sectors = codes(table, "country", problems), codes(table, "sector", problems)
    rows = positions(table, "country", countries, world.countries, "use the world's country codes", problems)
    columns = positions(table, "sector", sectors, world.sectors, "use the world's sector codes", problems)
    locations = [table.where(k, "weight") for k in range(len(rows))]
    return rows, columns, numbers(table, "weight", problems), locations


def _wide_cells(table: Table, world: World, problems: list[Problem]):
    """(country positions, sector positions, values, locations) of a wide table, one per country row
    and sector column."""
    code_column, *sector_columns = table.frame.columns
    countries = codes(table, code_column, problems)
    rows = positions(table, code_column, countries, world.countries, "use the world's country codes", problems)
    known = {sector.lower(): k for k, sector in enumerate(world.sectors)}
    problems += [Problem(f"column {table.original[c]!r} is not a sector of the world", at(f"{table.name} header"),
                         table.original[c], f"name the columns by sector code: {', '.join(world.sectors)}")
                 for c in sector_columns if c not in known]
    used = [c for c in sector_columns if c in known]
    n_rows = len(table.frame)
    locations = [table.where(k, c) for c in used for k in range(n_rows)]
    values = np.concatenate([numbers(table, c, problems) for c in used]) if used else np.empty(0)
    return np.tile(rows, len(used)), np.repeat([known[c] for c in used], n_rows).astype(np.int64), values, locations
