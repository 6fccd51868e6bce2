"""Read the ilms2025 data set: the data of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025),
"Making America Great Again? The Economic Impacts of Liberation Day Tariffs".

The folder (``../shared/data/ilms2025/README.md``) holds, for 194 countries in the order of
``country_labels.csv`` (row r of every file and column r of the trade matrix is ``iso_code`` r):

- ``trade_cepii.csv``: header ``export_ij1, ..., export_ij194`` and 194 lines; cell (r, c) is BACI 2023
  exports from country r (exporter) to country c (importer), thousand US$; an empty cell is no flow and
  the diagonal is empty (the model builds the domestic flows);
- ``gdp.csv``: header ``gdp``, WDI GDP in current US$ (divided by 1000 here, to thousand US$ like trade);
- ``tariffs.csv``: header ``applied_tariff``, the US "reciprocal" tariff announced on 2 April 2025 on
  imports from each country, as a fraction;
- ``country_labels.csv``: header ``iso3, iso_code, CountryName``.

The baseline is built as the authors' MATLAB code builds it (MODEL_ILMS2025.md section 2):

1. ν, the share of the value of sales into market i paid to market i's own labour, is calibrated on a
   two-region (rest of world, US) aggregation of the raw flows so that the sales-weighted mean ν met by
   non-US producers is 0.12 and by US producers 0.26 (§2.2); 193 countries get ``nu_eq[0]``, the US
   ``nu_eq[1]``.
2. First-pass transfers T⁰ = (1 - ν_i)(M_i - S_i) and spending E⁰ = GDP + T⁰ give the domestic flows
   X_ii = max(0, E⁰_i - M_i) (§2.3); the floor binds for GMB and MHL.
3. From the filled matrix X: spending E_i = Σ_j X_ji, income Y_j = Σ_i (1 - ν_i) X_ji + ν_j E_j and
   transfers T = E - Y, which sum to zero (§2.5).

``ilms2025_baseline`` returns all of these (``Ilms2025Baseline``); ``read_ilms2025`` the ``World``:

- trade: the filled matrix X, one sector ``all`` ("All goods"), thousand US$;
- tariffs: zero. The paper's factual economy has no tariffs: the announced US tariffs are the shock,
  solved from this baseline (§2.4-§6); ``announced_us_tariffs`` gives them;
- sigma: 1 + ε = 5, the paper's trade elasticity ε = 4 (§3);
- deficits: the World stores no ν, so its trade imbalances are those of the flows, imports - exports
  (the paper's goods deficit D_i = T^EK_i of its EK variants B3 and D1); the paper's own transfers
  T (with ν) are in ``Ilms2025Baseline.transfers``;
- GMB and MHL have no domestic sales (the floor of step 2), exactly as in the paper.

Every problem raises DataValidationError naming file, line (as an editor shows it: the header is line
1), column, value and fix.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.optimize

from tariffsim._validate import Problem
from tariffsim.country_groups import country_groups_for
from tariffsim.errors import DataValidationError
from tariffsim.io import _matrix
from tariffsim.io._matrix import Records
from tariffsim.io._problems import at, duplicate_codes, missing_header, raise_if, require_files
from tariffsim.io._tables import Table, codes, load, missing_columns, numbers
from tariffsim.world import World, check_arrays

N_COUNTRIES = 194
TRADE, GDP, TARIFFS, LABELS = "trade_cepii.csv", "gdp.csv", "tariffs.csv", "country_labels.csv"
FILES = (TRADE, GDP, TARIFFS, LABELS)
US = "USA"
GDP_UNIT = 1000.0
"""gdp.csv is in US$; trade in thousand US$: the model divides GDP by this (§1)."""
TRADE_ELASTICITY = 4.0
"""ε of the paper's main results (§3); the World's sigma is 1 + ε."""
NU_TARGETS = (0.12, 0.26)
"""Sales-weighted mean ν met by non-US and by US producers (§2.2)."""
NU_START = (0.1, 0.24)
NU_TOLERANCE = 1e-10
US_TARIFF_FLOOR = 0.1
"""The model's US tariff on imports from j is max(0.1, applied_tariff_j) (§2.4)."""
SECTOR, SECTOR_NAME = "all", "All goods"
YEAR = 2023
"""The year of the trade data (BACI 2023); GDP is each country's latest WDI year (mostly 2023)."""
LABEL = "ILMS 2025 data: BACI 2023 trade, WDI GDP, 194 countries x 1 sector"


@dataclass(frozen=True)
class Ilms2025Baseline:
    """The paper's one-sector baseline (MODEL_ILMS2025.md §2.1-§2.5), money in thousand US$.

    Attributes:
        countries, country_names: ISO3 codes and CountryName, in iso_code order.
        raw_trade: (N, N) the file's flows, exporter x importer, empty cells 0 (diagonal 0).
        gdp: (N,) Y^data, WDI GDP / 1000.
        nu_eq: (2,) ν of the rest of the world and of the US (§2.2).
        nu: (N,) ν of every country (nu_eq[0], the US nu_eq[1]).
        first_pass_transfers: (N,) T⁰ of §2.3 (used only to build the domestic flows).
        trade: (N, N) the filled matrix X: raw flows plus the domestic flows of §2.3.
        expenditure, income, transfers: (N,) E, Y (recomputed, != gdp) and T = E - Y of §2.5.
        floored: codes of the countries whose domestic flow is floored at 0 (GMB, MHL).
    """

    countries: tuple[str, ...]
    country_names: tuple[str, ...]
    raw_trade: np.ndarray
    gdp: np.ndarray
    nu_eq: np.ndarray
    nu: np.ndarray
    first_pass_transfers: np.ndarray
    trade: np.ndarray
    expenditure: np.ndarray
    income: np.ndarray
    transfers: np.ndarray
    floored: tuple[str, ...]

    @property
    def us(self) -> int:
        """Position of the US (184, 0-based)."""
        return self.countries.index(US)


def is_ilms2025_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding the ilms2025 files (trade_cepii.csv, gdp.csv, tariffs.csv,
    country_labels.csv)."""
    path = Path(path)
    return path.is_dir() and all((path / name).is_file() for name in FILES)


def read_ilms2025(folder: str | os.PathLike[str]) -> World:
    """The 194-country, one-sector baseline world of ILMS (2025) (see the module docstring).

    Raises:
        DataValidationError: a missing file or column, wrong numbers of lines or columns, an empty,
            negative or non-numeric trade cell, a non-positive GDP, an iso_code out of order, each
            located by file, line and column.
    """
    base = ilms2025_baseline(folder)
    n = len(base.countries)
    trade = base.trade.copy()
    trade, tariffs, sigma = trade[:, :, None], np.zeros((n, n, 1)), np.array([1.0 + TRADE_ELASTICITY])
    check_arrays(trade, tariffs, sigma, base.countries, (SECTOR,), locate=_locator(Path(folder), base.countries),
                 header=f"invalid ilms2025 data in {folder}")
    return World(countries=base.countries, sectors=(SECTOR,), trade=trade, tariffs=tariffs, sigma=sigma,
                 country_names=base.country_names, sector_names=(SECTOR_NAME,), label=LABEL, year=YEAR,
                 elasticities={"U4": sigma}, elasticity="U4", country_groups=country_groups_for(base.countries, YEAR),
                 money_unit=1 / 1000)  # thousand US$ (GDP_UNIT)


def ilms2025_baseline(folder: str | os.PathLike[str]) -> Ilms2025Baseline:
    """The paper's baseline arrays, ν and transfers included (see ``Ilms2025Baseline``)."""
    folder = require_files(folder, FILES, "an ilms2025 folder")
    header = f"invalid ilms2025 data in {folder}"
    countries, names = _labels(folder, header)
    gdp = _column(folder, GDP, "gdp", header, positive=True) / GDP_UNIT
    raw = _trade(folder, header)
    _announced(folder, countries, header, US_TARIFF_FLOOR)  # the whole data set is checked on reading
    us = countries.index(US)
    nu_eq = _calibrate_nu(raw, gdp, us, folder)
    nu = np.full(len(countries), nu_eq[0])
    nu[us] = nu_eq[1]
    imports = raw.sum(axis=0)
    weighted_sales = raw @ (1 - nu)  # S_j = Σ_i (1 - ν_i) X_ji
    first_pass = (1 - nu) * (imports - weighted_sales)
    domestic = gdp + first_pass - imports
    trade = raw.copy()
    diagonal = np.arange(len(countries))
    trade[diagonal, diagonal] = np.maximum(0.0, domestic)
    expenditure = trade.sum(axis=0)
    income = trade @ (1 - nu) + nu * expenditure
    return Ilms2025Baseline(
        countries=countries, country_names=names, raw_trade=_frozen(raw), gdp=_frozen(gdp), nu_eq=_frozen(nu_eq),
        nu=_frozen(nu), first_pass_transfers=_frozen(first_pass), trade=_frozen(trade),
        expenditure=_frozen(expenditure), income=_frozen(income), transfers=_frozen(expenditure - income),
        floored=tuple(countries[i] for i in np.flatnonzero(domestic <= 0)),
    )


def announced_us_tariffs(folder: str | os.PathLike[str], floor: float = US_TARIFF_FLOOR) -> pd.Series:
    """The US tariffs announced on 2 April 2025, as the model applies them: ISO3 of the exporter ->
    fraction, max(``floor``, applied_tariff) (§2.4).

    With the default floor of 0.1, Russia (0 in the file) gets 0.1; Canada (0.1) and Mexico (0.17) are
    used as listed (no USMCA exemption), the 27 EU members have 0.2 and China 0.54. The US's own entry is
    0: it is the diagonal, a US tariff on US goods. ``floor=0`` gives the file's rates.
    """
    folder = require_files(folder, FILES, "an ilms2025 folder")
    header = f"invalid ilms2025 data in {folder}"
    return _announced(folder, _labels(folder, header)[0], header, floor)


def _announced(folder: Path, countries: tuple[str, ...], header: str, floor: float) -> pd.Series:
    rates = np.maximum(floor, _column(folder, TARIFFS, "applied_tariff", header, positive=False))
    rates[countries.index(US)] = 0.0
    return pd.Series(rates, index=pd.Index(countries, name="exporter"), name="us_tariff")


# ----------------------------------------------------------------------------------------------- files


def _table(folder: Path, name: str, required: tuple[str, ...], header: str) -> Table:
    """A per-country table: its required columns and one data line per country."""
    table = load(folder / name, name.removesuffix(".csv"))
    raise_if(missing_columns(table, required), header)
    frame = table.frame
    last = len(frame)
    while last and not any(str(cell).strip() for cell in frame.iloc[last - 1]):  # trailing blank lines: no rows
        last -= 1
    table = Table(frame.iloc[:last], table.name, table.row_word, table.first_row, table.original, table.csv)
    if last != N_COUNTRIES:
        raise_if([Problem(f"{name} has {last} data lines, expected {N_COUNTRIES} (lines 2-{N_COUNTRIES + 1}: one "
                          f"per country, in iso_code order)", None, last,
                          f"give {name} a header line and {N_COUNTRIES} lines, the country of iso_code r on "
                          f"line r + 1")], header)
    return table


def _labels(folder: Path, header: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ISO3 codes and names; iso_code must be 1..194 in order, the codes unique, USA among them."""
    table = _table(folder, LABELS, ("iso3", "iso_code", "countryname"), header)
    problems: list[Problem] = []
    found = codes(table, "iso3", problems).strings().tolist()
    positions = numbers(table, "iso_code", problems)
    problems += [Problem(f"iso_code is not {r + 1} (data line {r + 1} is country {r + 1} in every file)",
                         at(table.where(r, "iso_code")), table.frame["iso_code"].iloc[r],
                         f"list the countries by iso_code 1..{N_COUNTRIES}, in order (the order of every file)")
                 for r in np.flatnonzero(positions != np.arange(1, N_COUNTRIES + 1))
                 if not _listed(problems, table, r, "iso_code")]
    problems += duplicate_codes(found, lambda k: table.where(k, "iso3"), "country")
    if US not in found:
        problems.append(Problem(f"no country has iso3 {US!r} (the model calibrates ν and sets tariffs by the US)",
                                None, None, f"give the United States iso3 code {US!r}"))
    raise_if(problems, header)
    names = [name.strip() or code for name, code in zip(table.frame["countryname"], found, strict=True)]
    return tuple(found), tuple(names)


def _column(folder: Path, name: str, column: str, header: str, positive: bool) -> np.ndarray:
    """The one number per country of ``name``: finite, and > 0 (``positive``) or >= 0."""
    table = _table(folder, name, (column,), header)
    problems: list[Problem] = []
    values = numbers(table, column, problems)
    wanted = values > 0 if positive else values >= 0
    rule = "positive" if positive else "a fraction >= 0 (0.25 = 25%)"
    problems += [Problem(f"{column} is missing" if np.isnan(values[r]) else f"{column} is not {rule}",
                         at(table.where(int(r), column)), table.frame[column].iloc[r],
                         f"write a {'positive number' if positive else 'tariff as a fraction'} for the country of "
                         f"iso_code {r + 1}")
                 for r in np.flatnonzero(~(wanted & np.isfinite(values))) if not _listed(problems, table, r, column)]
    raise_if(problems, header)
    return values


def _listed(problems: list[Problem], table: Table, r: int, column: str) -> bool:
    """Whether a problem (e.g. 'not a number') already names this cell."""
    where = table.where(int(r), column)
    return any(p.cell == at(where) for p in problems)


def _trade(folder: Path, header: str) -> np.ndarray:
    """(N, N) the flows of trade_cepii.csv, empty cells 0; cells must be finite numbers >= 0 and the
    diagonal empty (or 0)."""
    table = _matrix.read(folder / TRADE)
    n = N_COUNTRIES
    example = ",".join(f"export_ij{c}" for c in (1, 2, 3)) + f",...,export_ij{n}"
    if not table.rows:
        raise DataValidationError(f"{folder / TRADE} is empty; fix: write the header line {example!r} and "
                                  f"{n} lines of flows")
    names, rows = table.rows[0], Records(table.name, table.rows[1:], table.lines[1:])
    if any(map(_matrix.is_number, names)):
        raise_if([missing_header(table.name, table.text(0), example)], header)
    problems: list[Problem] = []
    if len(names) != n:
        problems.append(Problem(f"{TRADE} header line has {len(names)} column names, expected {n} (one per "
                                f"importer)", at(f"{TRADE} line {table.lines[0]}"), len(names),
                                f"name the columns export_ij1..export_ij{n}"))
    else:
        problems += [Problem(f"column {c + 1} is named {name!r}, expected 'export_ij{c + 1}'",
                             at(f"{TRADE} line {table.lines[0]}, column {c + 1}"), name,
                             f"columns are the importers export_ij1..export_ij{n}, in iso_code order")
                     for c, name in enumerate(names) if name.lower() != f"export_ij{c + 1}"]
    filled = Records(rows.name, [[cell or "0" for cell in row] for row in rows.rows], rows.lines)
    values, found = _matrix.matrix(filled, (n, n), f"{n} exporters x {n} importers of {LABELS}")
    raise_if(problems + found, header)
    diagonal = np.zeros((n, n), dtype=bool)
    np.fill_diagonal(diagonal, True)
    for mask, what, fix in (
        (~np.isfinite(values), "trade flow is not a finite number", ("write the flow in thousand US$, or leave the "
                                                                     "cell empty for no flow")),
        (np.isfinite(values) & (values < 0), "trade flow is negative", ("flows are >= 0; leave the cell empty for "
                                                                       "no flow")),
        (diagonal & np.isfinite(values) & (values > 0), "domestic cell holds a flow",
         "leave the diagonal empty: the model builds domestic flows from GDP (MODEL_ILMS2025.md §2.3)"),
    ):
        problems += [Problem(what, at(rows.where(int(r), int(c))), rows.rows[r][c], fix)
                     for r, c in zip(*np.nonzero(mask), strict=True)]
    raise_if(problems, header)
    return values


# ------------------------------------------------------------------------------------------ the model
def _calibrate_nu(raw: np.ndarray, gdp: np.ndarray, us: int, folder: Path) -> np.ndarray:
    """(ν_rest, ν_US) of §2.2: the root of F1, F2 on the two-region aggregate, negatives set to 0."""
    aggregate = np.zeros((2, raw.shape[0]))
    aggregate[0] = 1.0
    aggregate[0, us], aggregate[1, us] = 0.0, 1.0
    flows, income = aggregate @ raw @ aggregate.T, aggregate @ gdp

    def equations(nu: np.ndarray) -> np.ndarray:
        spending = income + (1 - nu) * (flows.sum(axis=0) - flows @ (1 - nu))
        rest = (spending[0] - flows[1, 0]) / (spending[0] - flows[1, 0] + flows[0, 1])
        home = (spending[1] - flows[0, 1]) / (spending[1] - flows[0, 1] + flows[1, 0])
        return np.array([(1 - rest) * nu[1] + rest * nu[0] - NU_TARGETS[0],
                         home * nu[1] + (1 - home) * nu[0] - NU_TARGETS[1]])

    found = scipy.optimize.root(equations, NU_START, method="lm", options={"xtol": NU_TOLERANCE,
                                                                          "ftol": NU_TOLERANCE})
    if not (np.all(np.isfinite(found.x)) and np.max(np.abs(equations(found.x))) <= NU_TOLERANCE):
        raise DataValidationError(
            f"{folder}: the calibration of nu (MODEL_ILMS2025.md §2.2) finds no root from {NU_START} (residuals "
            f"{equations(found.x).tolist()}); fix: check {TRADE} and {GDP} (flows in thousand US$, GDP in US$)")
    return np.maximum(found.x, 0.0)


def _locator(folder: Path, countries: tuple[str, ...]) -> Callable[[tuple], str]:
    def locate(cell: tuple) -> str:
        kind, *index = cell
        if kind == "trade" and index[0] != index[1]:
            i, j, _ = index
            return f"{TRADE} line {i + 2}, column {j + 1} (exporter {countries[i]}, importer {countries[j]})"
        if kind in ("trade", "country"):
            i = index[0]
            return f"domestic flow of {countries[i]}, built from {GDP} line {i + 2} and the flows of {TRADE}"
        return f"{kind} {index}"

    return locate


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out
