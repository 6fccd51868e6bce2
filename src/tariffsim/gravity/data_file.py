"""Read a gravity panel (one row per exporter, importer and year) from .dta, .csv or .parquet."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from tariffsim.errors import DataValidationError

READERS = {".dta": pd.read_stata, ".csv": pd.read_csv, ".parquet": pd.read_parquet}


def read_gravity_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The table in ``path`` as a DataFrame (Stata, CSV with numeric parsing, or Parquet), columns as written.

    Errors name the file and the fix: unknown suffix, missing file, unreadable content.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataValidationError(f"{path}: cannot read gravity data from a {path.suffix or 'suffix-less'} file; "
                                  f"save it as {', '.join(READERS)}")
    if not path.is_file():
        raise DataValidationError(f"gravity data file {path} not found; check the path")
    try:
        data = reader(path)
    except (ValueError, OSError) as error:  # parser, Stata and Arrow errors
        raise DataValidationError(f"{path}: cannot be read as a {path.suffix[1:]} table ({error}); check that "
                                  "it is a well-formed file with one header row") from error
    if data.empty:
        raise DataValidationError(f"{path}: the table has no rows")
    return data
