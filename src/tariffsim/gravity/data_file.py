"""Read a gravity panel (one row per exporter, importer and year) from .dta, .csv or .parquet.

A problem in a row of the panel is located by ``where``: in a CSV file by the line a text editor shows
(1-based, the header is line 1), found as the io readers find it; otherwise by the pandas row label.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from pathlib import Path

import pandas as pd

from tariffsim.errors import DataValidationError
from tariffsim.io._tables import check_fields, csv_line, read_csv

READERS = {".dta": pd.read_stata, ".csv": read_csv, ".parquet": pd.read_parquet}

SOURCE = "tariffsim.csv"
"""``DataFrame.attrs`` key: the CSV file ``read_gravity_data`` read the frame from. pandas keeps ``attrs``
through copies, selections and ``reset_index``, so the row labels need not be the file's rows: ``where``
finds the row in the file by its values."""


def read_gravity_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The table in ``path`` as a DataFrame (Stata, CSV with numeric parsing, or Parquet), columns as written.

    Errors name the file and the fix: unknown suffix, missing file, unreadable content; in a CSV file a
    quote left open or a line with more or fewer fields than the header line, by its line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DataValidationError(f"{path}: cannot read gravity data from a {path.suffix or 'suffix-less'} file; "
                                  f"save it as {', '.join(READERS)}")
    if not path.is_file():
        raise DataValidationError(f"gravity data file {path} not found; check the path")
    try:
        data = READERS[suffix](path)  # read_csv is io's: its parser errors name the file line
    except DataValidationError:
        raise
    except (ValueError, OSError) as error:  # parser, Stata and Arrow errors
        raise DataValidationError(f"{path}: cannot be read as a {path.suffix[1:]} table ({error}); check that "
                                  "it is a well-formed file with one header row") from error
    if data.empty:
        raise DataValidationError(f"{path}: the table has no rows")
    if suffix == ".csv":
        check_fields(path, data)  # pandas may have shifted columns or filled a short line
        data.attrs[SOURCE] = str(path)
    return data


def where(data: pd.DataFrame, label: Hashable, columns: Sequence[str]) -> str:
    """Where row ``label`` of ``data`` is, for a message: ``"panel.csv line 5"`` if ``data`` was read
    from a CSV file by ``read_gravity_data`` and a line of that file holds the row's values in
    ``columns`` (e.g. exporter, importer, year and the bad value: the first such line), else
    ``"row 3"`` (the pandas label)."""
    source = data.attrs.get(SOURCE)
    if source is not None:
        try:
            line = _line_of(Path(source), data.loc[label], [c for c in columns if c in data.columns])
        except (DataValidationError, OSError, ValueError, KeyError, TypeError):  # the file changed or is gone
            line = None
        if line is not None:
            return f"{Path(source).name} line {line}"
    return f"row {label}"


def _line_of(path: Path, row: pd.Series, columns: list[str]) -> int | None:
    """The first line of the CSV file ``path`` whose values in ``columns`` are ``row``'s, or None."""
    if not isinstance(row, pd.Series) or not columns:
        return None  # a label of several rows
    file = read_csv(path)
    same = pd.Series(True, index=file.index)
    for column in columns:
        if column not in file.columns:
            return None
        value = row[column]
        same &= file[column].isna() if pd.isna(value) else file[column] == value
    found = same.to_numpy().nonzero()[0]
    return csv_line(path, int(found[0]), skip_blank=True) if len(found) else None


def shown(value: object) -> str:
    """A cell's value for a message: ``1986.5``, ``'x'`` (not ``np.float64(1986.5)``)."""
    return repr(value.item() if hasattr(value, "item") else value)
