"""Read an Ossa-style folder (the layout of Ossa 2014's replication data) into a World.

Files (see MODEL_OSSA2014.md §1): ``regions.csv`` (header; names in column 2), ``labels.csv`` (one
sector code per line; or else ``sectors.csv``), ``sectors.csv`` (header; code, long name; rows past
the data, such as ``xxx``, are ignored), ``trade_ijs.csv`` and ``tariff_ijs.csv`` ((S*N) x N, no
header: S stacked N x N blocks, exporters in rows, importers in columns), ``sigma_s.csv`` (S x 5, no
header: one column per model version).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tariffsim._lookup import suggest
from tariffsim._validate import Problem
from tariffsim.errors import DataValidationError
from tariffsim.io import _matrix
from tariffsim.io._matrix import Records
from tariffsim.io._problems import duplicate_codes, raise_if, unexpected_header
from tariffsim.sector_groups import groups_for
from tariffsim.world import World, check_arrays

# Column of sigma_s.csv per model version; the paper's names (Main, Low_Sig, ...) map here too.
SIGMA_VERSIONS = {"main": 0, "low": 1, "med": 2, "high": 3, "novar": 4}
SIGMA_VERSION_SOURCES = {
    "main": "Ossa 2014's estimated sigmas",
    "low": "Ossa 2014's sigmas rescaled to mean 3.5", "med": "Ossa 2014's sigmas rescaled to mean 5",
    "high": "Ossa 2014's sigmas rescaled to mean 6.5", "novar": "Ossa 2014's constant sigma (no variation)",
}
REGION_CODES = {"Brazil": "BRA", "China": "CHN", "EU": "EU", "India": "IND", "Japan": "JPN",
                "ROW": "ROW", "US": "USA"}
CODE_ALIASES = {
    "USA": ("US", "United States", "United States of America"),
    "EU": ("European Union",),
    "ROW": ("Rest of world", "Rest of the world"),
}
REQUIRED = ("regions.csv", "trade_ijs.csv", "tariff_ijs.csv", "sigma_s.csv")


def _sigma_column(version: str) -> int:
    """Column (0-based) of sigma_s.csv for ``version``: main, low, med, high, novar (or Low_Sig ...)."""
    key = version.strip().lower().removesuffix("_sig")
    if key not in SIGMA_VERSIONS:
        raise DataValidationError(
            f"unknown sigma version {version!r}.{suggest(key, SIGMA_VERSIONS)}"
            f" Use one of: {', '.join(SIGMA_VERSIONS)}"
            " (or the paper's Main, Low_Sig, Med_Sig, High_Sig, Novar_Sig)."
        )
    return SIGMA_VERSIONS[key]


def read_ossa(folder: str | os.PathLike[str], version: str = "main") -> World:
    """The N x S world of an Ossa-style folder (N regions, S sectors; 7 x 33 for ossa2014).

    Args:
        folder: the folder holding the files listed in the module docstring.
        version: which column of sigma_s.csv gives sigma: ``"main"`` (Feenstra-type estimates),
            ``"low"``, ``"med"``, ``"high"`` (rescaled to means 3.5, 5, 6.5) or ``"novar"``
            (constant sigma); the paper's names ``Main``, ``Low_Sig`` ... are accepted too.

    Returns a World with flows in the files' units (US$ million), tariffs as fractions, countries
    coded BRA, CHN, EU, IND, JPN, ROW, USA (region names as long names) and GTAP sector groups; its
    ``year`` is 2007 for Ossa's own data (``catalog.known_year``: the published trade_ijs.csv), else None.

    Raises:
        DataValidationError: naming file, line, column and value of each problem, before returning.
    """
    from tariffsim.catalog import known_year

    folder = Path(folder)
    sigma_at = _sigma_column(version)
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if not (folder / "labels.csv").is_file() and not (folder / "sectors.csv").is_file():
        missing.append("labels.csv or sectors.csv")
    if missing:
        raise DataValidationError(
            f"{folder} is not an Ossa-style folder: it lacks {', '.join(missing)}; fix: give the folder"
            f" holding {', '.join(REQUIRED)} and labels.csv or sectors.csv"
        )
    regions_t, problems = _matrix.after_header(_matrix.read(folder / "regions.csv"), "No.,String")
    trade_t, tariffs_t, sigma_t = (_matrix.read(folder / name) for name in REQUIRED[1:])
    described = None
    if (folder / "sectors.csv").is_file():
        described, found = _matrix.after_header(_matrix.read(folder / "sectors.csv"), "No.,String,String")
        problems += found
    if (folder / "labels.csv").is_file():
        sector_t = _matrix.read(folder / "labels.csv")
        sectors = sector_t.column(0)
        problems += _labels_header(sector_t, len(sigma_t.rows), len(trade_t.rows), len(regions_t.rows))
    else:  # sectors.csv rows 1..S, S from sigma_s.csv: rows past the data (xxx) are not sectors
        sector_t = described
        sectors = described.column(1)[:len(sigma_t.rows)]
    header = f"invalid Ossa-style data in {folder}"
    raise_if(problems, header)  # a header line too many or too few shifts every count below
    regions = regions_t.column(1)
    n, s = len(regions), len(sectors)
    why = f"{n} regions in regions.csv x {s} sectors in {sector_t.name}"
    countries = [REGION_CODES.get(name, name) for name in regions]
    problems = duplicate_codes(regions, regions_t.where, "region")
    problems += duplicate_codes(sectors, sector_t.where, "sector")
    trade, found = _matrix.matrix(trade_t, (s * n, n), why)
    tariffs, more = _matrix.matrix(tariffs_t, (s * n, n), why)
    sigma, most = _matrix.matrix(sigma_t, (s, len(SIGMA_VERSIONS)), f"{s} sectors x 5 versions")
    raise_if(problems + found + more + most, header)

    def locate(cell: tuple) -> str:
        kind, *index = cell
        if kind == "sigma":
            return f"{sigma_t.where(index[0], sigma_at)} (sector {sectors[index[0]]})"
        if kind == "country":
            i = index[0]
            return f"country {countries[i]} (trade_ijs.csv column {i + 1}, row {i + 1} of every {n}-row block)"
        i, j, k = index
        table = trade_t if kind == "trade" else tariffs_t
        return (f"{table.where(k * n + i, j)} "
                f"(exporter {countries[i]}, importer {countries[j]}, sector {sectors[k]})")

    trade, tariffs = (m.reshape(s, n, n).transpose(1, 2, 0) for m in (trade, tariffs))
    versions = {name: sigma[:, k] for name, k in SIGMA_VERSIONS.items()
                if np.all(np.isfinite(sigma[:, k]) & (sigma[:, k] > 1))}  # a version with bad values is not offered
    sigma = sigma[:, sigma_at]
    long_names = {} if described is None else dict(zip(described.column(1), described.column(2), strict=True))
    check_arrays(trade, tariffs, sigma, countries, sectors, locate=locate, header=header)
    return World(
        countries=countries, sectors=sectors, trade=trade, tariffs=tariffs, sigma=sigma,
        country_names=regions, sector_names=[long_names.get(code, code) for code in sectors],
        sector_groups=groups_for(sectors),
        country_aliases={alias: code for code in countries for alias in CODE_ALIASES.get(code, ())},
        label=f"Ossa-style data from {folder.name}: {n} regions x {s} sectors",
        elasticities=versions, elasticity=next(name for name, k in SIGMA_VERSIONS.items() if k == sigma_at),
        year=known_year(folder),
    )


def _labels_header(labels: Records, n_sigma: int, n_trade: int, n: int) -> list[Problem]:
    """A problem if labels.csv, a file without a header line, starts with one: it lists one code more than
    sigma_s.csv has rows and trade_ijs.csv has blocks of ``n`` rows."""
    s = len(labels.rows) - 1
    return [unexpected_header(labels.name, labels.text(0))] if s == n_sigma and n_trade == s * n else []
