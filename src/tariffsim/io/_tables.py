"""Long-format tables (CSV, Parquet, Stata .dta, or a DataFrame) read with pandas, with row locations.

Every value taken from a table comes with the problems found in it, each located by file, row and
column as the user sees them: in a CSV the line a text editor shows (1-based, the header is line 1;
a quoted field may span lines); in Parquet and Stata files the 1-based record number ("row"); in a
DataFrame the ``iloc`` position.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tariffsim import _lookup
from tariffsim._validate import Problem
from tariffsim.errors import DataValidationError
from tariffsim.io import _matrix
from tariffsim.io._problems import at, missing_header

SUFFIXES = (".csv", ".parquet", ".dta")

Source = str | os.PathLike[str] | pd.DataFrame


@dataclass(frozen=True)
class Table:
    """A table and how to name its rows: ``frame`` has canonical lower-case column names."""

    frame: pd.DataFrame
    name: str  # "flows.csv" or "flows DataFrame"
    row_word: str  # "line" for CSV files, "row" for Parquet and Stata files, "iloc" for DataFrames
    first_row: int  # the row number of frame position 0 (not for CSV files: see lines)
    original: Mapping[str, str]  # canonical column name -> the user's column name
    csv: Path | None = None  # the CSV file the frame was read from

    @cached_property
    def lines(self) -> list[int]:
        """The line each record of the CSV file starts on (the header's first), read when a problem is
        first located."""
        return [line for line, _ in _matrix.records(self.csv)]

    def where(self, position: int, column: str | None = None) -> str:
        """``"flows.csv line 5, column 'value'"`` for frame position ``position``."""
        number = self.lines[position + 1] if self.csv else position + self.first_row
        row = f"{self.name} {self.row_word} {number}"
        return row if column is None else f"{row}, column {self.original.get(column, column)!r}"

    def has(self, column: str) -> bool:
        return column in self.frame.columns


def load(source: Source, kind: str, rename: Mapping[str, str] | None = None) -> Table:
    """Read a table file (by suffix) or take a DataFrame; ``rename`` maps user -> canonical names."""
    if isinstance(source, pd.DataFrame):
        frame, name, row_word, first_row = source.reset_index(drop=True), f"{kind} DataFrame", "iloc", 0
        csv = None
    else:
        path = Path(source)
        csv = path if path.suffix.lower() == ".csv" else None
        frame, name, row_word, first_row = _read_file(path, kind), path.name, "line" if csv else "row", 1
    rename = dict(rename or {})
    columns = {str(c): rename.get(str(c), str(c)).strip().lower() for c in frame.columns}
    frame = frame.rename(columns=columns)
    return Table(frame, name, row_word, first_row, {new: old for old, new in columns.items()}, csv)


def _read_file(path: Path, kind: str) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataValidationError(
            f"{path}: cannot read a {kind} table from a {suffix or 'suffix-less'} file; "
            f"fix: save it as {', '.join(SUFFIXES)}"
        )
    if not path.is_file():
        raise DataValidationError(f"{kind} table {path} not found; fix: check the path")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_stata(path)
    except pd.errors.ParserError as error:
        _matrix.check_quotes(path, header=True)
        raise DataValidationError(_parser_message(path, error)) from error
    except ValueError as error:  # Arrow, Stata and encoding errors all derive from ValueError
        raise DataValidationError(
            f"{path}: cannot be read as a {suffix[1:]} table ({error}); "
            f"fix: check that the file is a well-formed {suffix[1:]} file with one header row"
        ) from error


def _parser_message(path: Path, error: pd.errors.ParserError) -> str:
    """pandas' CSV parser error, located by file line (pandas counts records, which a quoted field
    spanning lines makes differ from lines)."""
    extra = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if extra is None:
        return (f"{path}: cannot be read as a csv table ({str(error).strip()}); "
                "fix: check that the file is a well-formed csv file with one header row")
    expected, record, found = map(int, extra.groups())
    line, _ = next(itertools.islice(_matrix.records(path), record - 1, None), (record, None))
    return (f"{path}: cannot be read as a csv table: line {line} has {found} fields, expected {expected} as in"
            " the header line; fix: remove the extra fields, or quote a value that holds a comma")


def missing_columns(table: Table, required: Sequence[str]) -> list[Problem]:
    """One problem naming the required columns that ``table`` lacks."""
    missing = [c for c in required if not table.has(c)]
    if not missing:
        return []
    if len(missing) == len(required) and (headerless := check_header(table, ",".join(required))):
        return headerless
    found = [table.original.get(c, c) for c in table.frame.columns]
    return [Problem(f"{table.name} lacks required column(s) {', '.join(map(repr, missing))}"
                    f" (found: {', '.join(map(repr, found)) or 'none'})", None, found,
                    f"add the column(s) or rename yours (columns={{'your_name': {missing[0]!r}}});"
                    f" required: {', '.join(required)}")]


def check_header(table: Table, example: str) -> list[Problem]:
    """A problem if ``table`` is a CSV file whose line 1, read as the header, holds a number: data.

    ``example`` is a header line to suggest. Call it only when the header names none of the columns
    expected (a number can be a column name, e.g. a year)."""
    if table.csv is None or not any(map(_matrix.is_number, table.original.values())):
        return []
    _, line = next(_matrix.records(table.csv))
    return [missing_header(table.name, ",".join(line)[:_matrix.SHOWN], example)]


@dataclass(frozen=True)
class Codes:
    """A column of codes: its distinct stripped labels (in order of first appearance, then ``""`` for
    empty cells) and each row's position in ``labels``; cheap for millions of rows."""

    labels: list[str]
    inverse: np.ndarray

    def strings(self) -> np.ndarray:
        """(rows,) the code of every row, as an object array of str."""
        return np.asarray(self.labels, dtype=object)[self.inverse]

    def rows_of(self, label: str) -> np.ndarray:
        """Positions of the rows whose code is ``label``."""
        return np.flatnonzero(np.isin(self.inverse, [k for k, other in enumerate(self.labels) if other == label]))


def codes(table: Table, column: str, problems: list[Problem]) -> Codes:
    """The codes of ``column`` (stripped); each empty one is added to ``problems``."""
    inverse, uniques = pd.factorize(table.frame[column])
    found = Codes([_code_text(u) for u in uniques] + [""], np.where(inverse < 0, len(uniques), inverse))
    problems += [Problem(f"empty {column} code", at(table.where(k, column)), "", f"fill in the {column} code")
                 for k in found.rows_of("")]
    return found


def _code_text(value: object) -> str:
    """A code as text; whole floats lose their ``.0`` (integer codes in a column with missing cells)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def numbers(table: Table, column: str, problems: list[Problem]) -> np.ndarray:
    """``column`` as float64 (empty cells -> NaN); each non-numeric cell is added to ``problems``.

    Text is parsed by Arrow (correctly rounded, so written floats read back exactly).
    """
    series = table.frame[column]
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    text = series.astype("string").str.strip()
    array = pa.array(text, from_pandas=True)
    try:
        empty_as_null = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
        return pc.cast(empty_as_null, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        pass
    values = np.full(len(text), np.nan)
    for k, cell in enumerate(text.fillna("")):
        try:
            values[k] = float(cell or "nan")
        except ValueError:
            problems.append(Problem(f"{column} is not a number", at(table.where(k, column)), cell,
                                    f"write a plain number (e.g. 1234.5 or 0.25) in column {column!r}"))
    return values


def positions(table: Table, column: str, values: Codes, known: Sequence[str], fix: str,
              problems: list[Problem]) -> np.ndarray:
    """(rows,) positions of the codes in ``known`` (-1 if unknown); one problem per unknown code."""
    lookup: dict[str, int] = {}
    for k, code in enumerate(known):
        lookup.setdefault(code, k)  # duplicate codes are reported by their own table
    for code in dict.fromkeys(label for label in values.labels if label and label not in lookup):
        rows = values.rows_of(code)
        problems.append(Problem(
            f"{column} code {code!r} is unknown ({len(rows)} row(s)){_lookup.suggest(code, known)}",
            at(table.where(int(rows[0]), column)), code, fix))
    return np.array([lookup.get(label, -1) for label in values.labels], dtype=np.int64)[values.inverse]


def find(folder: Path, stem: str) -> Path | None:
    """The one ``stem.{csv,parquet,dta}`` file in ``folder``, or None; an error if several exist."""
    found = [folder / f"{stem}{suffix}" for suffix in SUFFIXES if (folder / f"{stem}{suffix}").is_file()]
    if len(found) > 1:
        raise DataValidationError(
            f"{folder} holds several {stem} tables ({', '.join(p.name for p in found)}); "
            f"fix: keep only one of them"
        )
    return found[0] if found else None
