"""Gravity panel columns: fixed-effect identifiers, border dummies and agreement lags/leads.

Input is a long table with one row per exporter, importer (and year): the layout of the Yotov et al.
(2016) data sets. Everything here returns a new DataFrame; nothing mutates the caller's data.

Derived column names (used by the ready-made designs in ``tariffsim.gravity.design``):

``exp_year``, ``imp_year``      exporter-year and importer-year identifiers ("USA_2006")
``pair``                         directed pair identifier ("USA_CAN"), the default cluster
``INTL_BRDR``                    1 for international flows, 0 for domestic (exporter == importer)
``INTL_BRDR_<year>``             ``INTL_BRDR`` interacted with a year dummy (one column per year)
``ln_DIST``                      natural log of ``DIST`` when the data has a positive ``DIST`` column
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from tariffsim.errors import DataValidationError
from tariffsim.gravity.data_file import shown, where

EXP_YEAR = "exp_year"
IMP_YEAR = "imp_year"
PAIR = "pair"
BORDER = "INTL_BRDR"


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a DataValidationError naming every missing column and the columns that exist."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataValidationError(
            f"{what}: column(s) {missing} not in the data (columns: {list(data.columns)}). "
            "Rename your columns or pass their names (exporter=, importer=, year=)."
        )


def border_year_column(year: int) -> str:
    """Name of the international-border dummy for ``year``: ``INTL_BRDR_2006``."""
    return f"{BORDER}_{int(year)}"


def add_gravity_columns(
    data: pd.DataFrame,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str | None = "year",
) -> pd.DataFrame:
    """Return a copy of ``data`` with the fixed-effect identifiers and border dummies added.

    ``year=None`` for a cross-section (no ``exp_year``/``imp_year``/``INTL_BRDR_<year>``).
    Existing columns of the same names are overwritten. Years stored as floats (as in the
    book's .dta files) are converted to integers; a non-integer year is an error.
    """
    require_columns(data, [c for c in (exporter, importer, year) if c is not None], "gravity columns")
    out = data.copy()
    exp = out[exporter].astype(str)
    imp = out[importer].astype(str)
    out[PAIR] = exp + "_" + imp
    out[BORDER] = (exp != imp).astype(np.int8)
    if "DIST" in out.columns and (out["DIST"] > 0).all():
        out["ln_DIST"] = np.log(out["DIST"].astype(float))
    if year is None:
        return out
    years = _integer_years(out, year, (exporter, importer))
    out[year] = years
    out[EXP_YEAR] = exp + "_" + years.astype(str)
    out[IMP_YEAR] = imp + "_" + years.astype(str)
    border = out[BORDER].to_numpy()
    extra = {border_year_column(y): (border * (years.to_numpy() == y)).astype(np.int8) for y in sorted(years.unique())}
    result = pd.concat([out.drop(columns=[c for c in extra if c in out.columns]),
                        pd.DataFrame(extra, index=out.index)], axis=1)
    result.attrs = dict(data.attrs)  # concat drops attrs unless all frames have them (the source file)
    return result


def _integer_years(data: pd.DataFrame, name: str, keys: Sequence[str]) -> pd.Series:
    """Column ``name`` of ``data`` as int64; a missing or fractional year is an error naming its row (by
    file line in a CSV file, found by the year and the ``keys`` columns, e.g. exporter and importer)."""
    column = data[name]
    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() | (values != np.round(values))
    if bad.any():
        row = bad.idxmax()
        value = column.loc[row]
        problem = "is missing" if pd.isna(value) else f"{shown(value)} is not a whole number"
        raise DataValidationError(
            f"{where(data, row, [*keys, name])}, column {name!r}: year {problem}; "
            "give years as integers such as 2006."
        )
    return values.astype(np.int64)


def add_lags(
    data: pd.DataFrame,
    variable: str,
    *,
    lags: Sequence[int] = (),
    leads: Sequence[int] = (),
    exporter: str = "exporter",
    importer: str = "importer",
    year: str = "year",
) -> pd.DataFrame:
    """Add ``<variable>_LAG<k>`` (value at year - k) and ``<variable>_LEAD<k>`` (value at year + k).

    Values are looked up in ``data`` itself, so an annual panel gives 4-year lags for a
    4-year-interval sample taken from it afterwards. Where the shifted year is not in the data
    the new column is NaN; the estimator then reports those rows as dropped for missing values.
    """
    require_columns(data, [exporter, importer, year, variable], f"lags of {variable!r}")
    out = data.copy()
    years = _integer_years(out, year, (exporter, importer))
    key = pd.MultiIndex.from_arrays([out[exporter].astype(str), out[importer].astype(str), years])
    lookup = pd.Series(out[variable].to_numpy(), index=key)
    if lookup.index.has_duplicates:
        dup = lookup.index[lookup.index.duplicated()][0]
        raise DataValidationError(
            f"lags of {variable!r}: more than one row for exporter {dup[0]}, importer {dup[1]}, "
            f"year {dup[2]}; keep one row per pair and year."
        )
    for shift, suffix in [(k, f"LAG{k}") for k in lags] + [(-k, f"LEAD{k}") for k in leads]:
        shifted = pd.MultiIndex.from_arrays([key.get_level_values(0), key.get_level_values(1), years - shift])
        out[f"{variable}_{suffix}"] = lookup.reindex(shifted).to_numpy()
    return out
