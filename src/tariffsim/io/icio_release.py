"""Build a world from a raw OECD Inter-Country Input-Output (ICIO) release CSV and a long tariff table.

The ICIO release layout (2023 edition; one CSV per year, e.g. ``2019.csv`` or ``2019_SML.csv``):

- first column: row labels (its header is ``V1`` in the release, or empty); then one row per
  producing country and industry, ``AUS_A01``, ``AUS_A02``, ..., ``ROW_T`` (country code, ``_``,
  industry code, which may itself hold ``_``, e.g. ``C17_18``), and at the bottom the rows ``TLS``
  (taxes less subsidies on products), ``VA`` (value added) and ``OUT`` (output), which are skipped;
- columns: intermediate use by country and industry (``AUS_A01``, ...), then final use by country:
  ``AUS_HFCE`` (households), ``AUS_NPISH`` (non-profit institutions serving households), ``AUS_GGFC``
  (government), ``AUS_GFCF`` (gross fixed capital formation), ``AUS_INVNT`` (changes in inventories),
  ``AUS_DPABR`` (direct purchases abroad by residents), ...; and last ``OUT`` (output), skipped.
  Any column ``<country>_<X>`` whose X is not an industry counts as final use of that country.
- values in US$ million at basic prices. Editions that split China and Mexico (``CN1``, ``CN2``,
  ``MX1``, ``MX2``) are merged into ``CHN`` and ``MEX`` (``SPLITS``).

Bilateral sales by sector: ``X[i, j, k]`` = the sum, over every intermediate-use and final-use column
of importer ``j``, of the row of exporter ``i``'s industry ``k``; the diagonal ``X[i, i, k]`` is
domestic absorption. A cell that sums to less than zero (inventories run down) is set to 0 and counted
(``IcioRelease.negative_cells``). Services (industries whose code starts with D to T) are merged into
one sector ``SERV`` as in the tariffwar cubes (``services="aggregate"``, flows summed, tariffs
flow-weighted), or kept (``services="keep"``).

The tariff table (CSV, Parquet or Stata): columns ``exporter, importer, sector, tariff`` (any case),
one row per cell with a tariff, as a fraction (0.25 = 25%) set by the importer; ``sector`` is an
industry code of the release or, with services merged, ``SERV`` (applied to every service industry).
Cells without a row get no tariff (0), domestic rows must be 0.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tariffsim.errors import DataValidationError, OptionError
from tariffsim.world import World

FINAL_USE = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
"""Final-use categories of the 2023 edition (any other ``<country>_<X>`` column counts too)."""
BOTTOM_ROWS = ("TLS", "VA", "OUT")
"""Rows below the industry rows: taxes less subsidies on products, value added, output."""
TOTAL_COLUMNS = ("OUT",)
SPLITS = {"CN1": "CHN", "CN2": "CHN", "MX1": "MEX", "MX2": "MEX"}
"""Country parts of editions that split China and Mexico (processing trade), merged into one country."""
SERVICES = "SERV"
SERVICES_MODES = ("aggregate", "keep")
DEFAULT_SIGMA = 5.0
"""sigma = 1 + 4: the uniform trade elasticity of 4 (Simonovska and Waugh 2014), the default set U4 of the
tariffwar cubes."""
TARIFF_COLUMNS = ("exporter", "importer", "sector", "tariff")
LABEL_PATTERN = re.compile(r"^([A-Za-z0-9]+)_(.+)$")
YEAR_PATTERN = re.compile(r"(?<!\d)(19[6-9]\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class IcioRelease:
    """The bilateral sales of one ICIO release file.

    Attributes:
        countries: country codes in the order of the rows (parts of split countries merged).
        industries: industry codes in row order.
        sales: (N, N, K) exporter x importer x industry, intermediate plus final use, US$ million.
        final_use: the final-use categories found (e.g. HFCE, NPISH, GGFC, GFCF, INVNT, DPABR).
        negative_cells: cells whose sum was negative (set to 0).
        merged: split country parts merged (e.g. ``("CN1", "CN2")``).
    """

    countries: tuple[str, ...]
    industries: tuple[str, ...]
    sales: np.ndarray
    final_use: tuple[str, ...]
    negative_cells: int = 0
    merged: tuple[str, ...] = ()


def is_service(industry: str) -> bool:
    """Industries D (utilities) to T (households) are services; A, B and C are goods."""
    return industry[:1].upper() >= "D"


def year_of(path: str | os.PathLike[str]) -> int | None:
    """The data year in a release file name (``2019.csv``, ``ICIO2023_2019.csv``: the last 4-digit year)."""
    found = YEAR_PATTERN.findall(Path(path).stem)
    return int(found[-1]) if found else None


def _read_csv(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Row labels, column labels and the (rows x columns) numbers of the release file."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if not path.is_file():
        raise DataValidationError(f"ICIO release file {path} not found; fix: give the path of one year's CSV, "
                                  "e.g. 2019.csv from the OECD ICIO page")
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline().rstrip("\r\n")
    names = [name.strip().strip('"') for name in header.split(",")]
    if len(names) < 3:
        raise DataValidationError(f"{path} line 1: {len(names)} column(s); the ICIO layout has a label column, "
                                  "intermediate- and final-use columns and OUT; fix: give an ICIO release CSV")
    first = names[0]
    try:
        table = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
                                convert_options=pa_csv.ConvertOptions(
                                    column_types={first: pa.string(), **{n: pa.float64() for n in names[1:]}}))
    except pa.ArrowInvalid as error:
        raise DataValidationError(f"{path}: not an ICIO table of numbers ({_arrow_message(error)}); fix: every "
                                  "cell after the label column must be a number") from None
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise DataValidationError(f"{path} line 1: column {repeated[0]!r} appears more than once; fix: give the "
                                  "release file as published")
    labels = [str(v).strip() for v in table.column(0).to_pylist()]
    values = np.column_stack([table.column(k).to_numpy(zero_copy_only=False) for k in range(1, len(names))]) \
        if table.num_rows else np.zeros((0, len(names) - 1))
    return labels, names[1:], values.astype(np.float64)


def _arrow_message(error: Exception) -> str:
    text = str(error).splitlines()[0]
    found = re.search(r"In CSV column #(\d+): Row #(\d+): (.*)", text)
    if found:  # Arrow counts the header as row 1, as an editor does
        return f"line {found.group(2)}, column {int(found.group(1)) + 1}: {found.group(3)}"
    return text


def read_icio_release(path: str | os.PathLike[str]) -> IcioRelease:
    """The bilateral sales by sector of an ICIO release CSV (see the module docstring).

    Raises DataValidationError naming the file, line or column, the value and the fix for a row or column
    label outside the layout, a missing country-industry row, an unknown country and a missing value.
    """
    path = Path(path)
    labels, columns, values = _read_csv(path)
    rows = _row_keys(path, labels)
    countries = tuple(dict.fromkeys(c for c, _ in rows.values()))
    industries = tuple(dict.fromkeys(k for _, k in rows.values()))
    raw_rows = {(raw, k) for raw, k in ((labels[r].split("_", 1)[0], rows[r][1]) for r in rows)}
    for raw in dict.fromkeys(labels[r].split("_", 1)[0] for r in rows):
        missing = [k for k in industries if (raw, k) not in raw_rows]
        if missing:
            raise DataValidationError(f"{path}: country {raw} has no row for industr{'ies' if len(missing) > 1 else 'y'} "
                                      f"{', '.join(missing[:5])} (rows {raw}_{missing[0]}, ...); fix: give the complete "
                                      "release file, one row per country and industry")
    importer_of, final_use = _column_keys(path, columns, countries, set(industries))
    used = sorted(importer_of)
    block = values[np.ix_(sorted(rows), used)]
    bad = np.argwhere(~np.isfinite(block))
    if len(bad):
        r, c = bad[0]
        row_label, column = labels[sorted(rows)[r]], columns[used[c]]
        raise DataValidationError(f"{path} line {sorted(rows)[r] + 2}, row {row_label}, column {column}: missing or "
                                  f"non-finite value ({float(block[r, c])!r}); fix: write 0 for no flow")
    n, k = len(countries), len(industries)
    by_importer = np.zeros((len(used), n))
    by_importer[np.arange(len(used)), [countries.index(importer_of[c]) for c in used]] = 1.0
    per_row = block @ by_importer  # (rows, importers)
    sales = np.zeros((n, k, n))
    exporter = np.array([countries.index(rows[r][0]) for r in sorted(rows)])
    industry = np.array([industries.index(rows[r][1]) for r in sorted(rows)])
    np.add.at(sales, (exporter, industry), per_row)
    sales = sales.transpose(0, 2, 1)  # (exporter, importer, industry)
    negative = int((sales < 0).sum())
    sales = np.where(sales < 0, 0.0, sales)
    merged = tuple(sorted({labels[r].split("_", 1)[0] for r in rows} & set(SPLITS)))
    return IcioRelease(countries, industries, sales, final_use, negative, merged)


def _row_keys(path: Path, labels: list[str]) -> dict[int, tuple[str, str]]:
    """Row position -> (country, industry) for the industry rows; the bottom rows are skipped."""
    keys: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for r, label in enumerate(labels):
        if label.upper() in BOTTOM_ROWS:
            continue
        found = LABEL_PATTERN.match(label)
        if found is None:
            raise DataValidationError(f"{path} line {r + 2}: row label {label!r} is neither COUNTRY_INDUSTRY (e.g. "
                                      f"AUS_A01) nor one of {', '.join(BOTTOM_ROWS)}; fix: give an ICIO release CSV "
                                      "as published")
        raw, industry = found.group(1).upper(), found.group(2)
        if (raw, industry) in seen:
            raise DataValidationError(f"{path} line {r + 2}: row {label} repeats line {seen[raw, industry] + 2}; fix: "
                                      "keep one row per country and industry")
        seen[raw, industry] = r
        keys[r] = (SPLITS.get(raw, raw), industry)
    if not keys:
        raise DataValidationError(f"{path}: no COUNTRY_INDUSTRY rows (e.g. AUS_A01); fix: give an ICIO release CSV")
    return keys


def _column_keys(path: Path, columns: list[str], countries: tuple[str, ...],
                 industries: set[str]) -> tuple[dict[int, str], tuple[str, ...]]:
    """Column position -> importing country, for intermediate- and final-use columns; the final-use
    categories found."""
    known = set(countries) | set(SPLITS)
    importer_of: dict[int, str] = {}
    final_use: dict[str, None] = {}
    for c, name in enumerate(columns):
        if name.upper() in TOTAL_COLUMNS:
            continue
        found = LABEL_PATTERN.match(name)
        country = found.group(1).upper() if found else None
        if country not in known:
            what = f"country {country!r} has no rows" if found else "it is not COUNTRY_INDUSTRY or COUNTRY_CATEGORY"
            raise DataValidationError(f"{path} line 1, column {c + 2} {name!r}: {what}; fix: give an ICIO release "
                                      f"CSV as published (use columns by country, e.g. {countries[0]}_A01, "
                                      f"{countries[0]}_HFCE, and OUT)")
        if found.group(2) not in industries:
            final_use[found.group(2).upper()] = None
        importer_of[c] = SPLITS.get(country, country)
    missing = [c for c in countries if c not in set(importer_of.values())]
    if missing:
        raise DataValidationError(f"{path} line 1: no use columns for {', '.join(missing[:5])}; fix: give the "
                                  "complete release file")
    return importer_of, tuple(final_use)


def read_tariff_table(path: str | os.PathLike[str], countries: tuple[str, ...], sectors: tuple[str, ...],
                      aliases: dict[str, tuple[str, ...]] | None = None) -> np.ndarray:
    """(N, N, K) tariffs from a long table ``exporter, importer, sector, tariff`` (see the module docstring).

    ``aliases`` maps a sector code of the table to several sectors of the world (``SERV`` -> every
    service industry). Raises DataValidationError naming the line, column and value of an unknown code,
    a repeated cell, a missing or invalid tariff and a tariff on a domestic cell.
    """
    from tariffsim import _lookup
    from tariffsim.io._tables import load

    table = load(Path(path), "tariffs")
    frame = table.frame  # column names in lower case
    missing = [c for c in TARIFF_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{table.name}: no column {', '.join(missing)} (columns: "
                                  f"{', '.join(table.original.get(c, c) for c in frame.columns)}); fix: give the "
                                  f"columns {', '.join(TARIFF_COLUMNS)}")
    aliases = aliases or {}
    country_at = {c: k for k, c in enumerate(countries)} | {p: countries.index(m) for p, m in SPLITS.items()
                                                            if m in countries}
    sector_at = {s: [k] for k, s in enumerate(sectors)} | {a: [sectors.index(m) for m in ms]
                                                           for a, ms in aliases.items()}
    tariffs = np.zeros((len(countries), len(countries), len(sectors)))
    first: dict[tuple[int, int, int], str] = {}
    values = frame["tariff"].to_numpy()
    columns = [frame[c].astype(str).str.strip().to_numpy() for c in ("exporter", "importer", "sector")]
    for r, (exporter, importer, sector) in enumerate(zip(*columns, strict=True)):
        for kind, code, known in (("exporter", exporter, country_at), ("importer", importer, country_at),
                                  ("sector", sector, sector_at)):
            if code not in known:
                raise DataValidationError(f"{table.where(r, kind)}: unknown {kind} {code!r}."
                                          f"{_lookup.suggest(code, list(known))} Fix: use the release's codes "
                                          f"({', '.join(list(known)[:6])}, ...)")
        try:
            value = float(values[r])
        except (TypeError, ValueError):
            value = float("nan")
        if not np.isfinite(value) or value <= -1:
            raise DataValidationError(f"{table.where(r, 'tariff')}: {values[r]!r} is not a tariff; fix: give a "
                                      "fraction above -1 (0.25 = 25%)")
        i, j = country_at[exporter], country_at[importer]
        if i == j:
            if value != 0:
                raise DataValidationError(f"{table.where(r, 'tariff')}: tariff {value!r} on {importer}'s own goods; "
                                          "fix: a country does not tax its own goods: remove the row or write 0")
            continue
        for s in sector_at[sector]:
            if (i, j, s) in first:
                raise DataValidationError(f"{table.where(r)}: the cell {exporter} -> {importer}, {sectors[s]} "
                                          f"repeats {first[i, j, s]}; fix: keep one row per cell")
            first[i, j, s] = table.where(r).removeprefix(f"{table.name} ")
            tariffs[i, j, s] = value
    return tariffs


def build_world(icio: str | os.PathLike[str], tariffs: str | os.PathLike[str], *, year: int | None = None,
                sigma: float = DEFAULT_SIGMA, services: str = "aggregate") -> tuple[World, IcioRelease]:
    """The world of an ICIO release file and a tariff table, and the release as read.

    ``year`` defaults to the year in the file name; ``sigma`` (> 1) is every sector's elasticity of
    substitution (default 5: trade elasticity 4); ``services`` is ``aggregate`` (one sector ``SERV``, as in
    the tariffwar cubes) or ``keep``. The world has the country groups of its year (``EU`` of the year,
    ``EU27``, ...), as a world cube has.
    """
    from tariffsim.country_groups import country_groups_for
    from tariffsim.io.tariffwar import ICIO_SECTOR_NAMES
    from tariffsim.sector_groups import groups_for

    if services not in SERVICES_MODES:
        raise OptionError(f"--services {services!r}: use one of {', '.join(SERVICES_MODES)}")
    if not (np.isfinite(sigma) and sigma > 1):
        raise OptionError(f"--sigma {sigma!r}: give a number above 1 (5 = trade elasticity 4)")
    release = read_icio_release(icio)
    service_codes = tuple(k for k in release.industries if is_service(k))
    aggregate = services == "aggregate" and bool(service_codes)
    if aggregate and SERVICES in release.industries:
        raise DataValidationError(f"{icio}: the release already has an industry {SERVICES}; fix: use --services keep")
    table = read_tariff_table(tariffs, release.countries, release.industries,
                              {SERVICES: service_codes} if aggregate else None)
    year = year if year is not None else year_of(icio)
    world = World(countries=release.countries, sectors=release.industries, trade=release.sales, tariffs=table,
                  sigma=np.full(len(release.industries), float(sigma)),
                  sector_names=[ICIO_SECTOR_NAMES.get(k, k) for k in release.industries], year=year,
                  label=f"OECD ICIO {year or ''} release {Path(icio).name} with tariffs {Path(tariffs).name}")
    if aggregate:
        world = world.aggregate_sectors({SERVICES: service_codes}, sigma={SERVICES: float(sigma)})
        names = [ICIO_SECTOR_NAMES.get(k, k) if k != SERVICES else ICIO_SECTOR_NAMES[SERVICES] for k in world.sectors]
        world = world.replace(sector_names=names)
    world = world.replace(sector_groups=groups_for(world.sectors),
                          country_groups=country_groups_for(world.countries, year),
                          label=f"OECD ICIO {year} ({Path(icio).name}; tariffs {Path(tariffs).name}): "
                                f"{world.n_countries} economies x {world.n_sectors} sectors" if year else
                                f"OECD ICIO release {Path(icio).name} (tariffs {Path(tariffs).name}): "
                                f"{world.n_countries} economies x {world.n_sectors} sectors")
    return world, release
