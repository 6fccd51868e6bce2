"""Long-format tables (CSV, Parquet, Stata .dta, or a DataFrame) read with pandas, with row locations.

Every value taken from a table comes with the problems found in it, each located by file, row and
column as the user sees them: in a CSV the line a text editor shows (1-based, the header is line 1;
a quoted field may span lines); in Parquet and Stata files the 1-based record number ("row"); in a
DataFrame the ``iloc`` position. A CSV line with more or fewer fields than the header line, which
pandas reads without a word (shifting columns, or filling in empty values), is refused by its line.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping, Sequence
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
    misread: str | None = None  # why the frame is wrong: every line below the header has more fields than it names

    def refuse_misread(self) -> None:
        """Raise DataValidationError if the frame was misread (pandas took the fields that the header
        line does not name as an index column). The error waits for ``missing_columns``, which names
        the columns the header lacks first, or for the first values taken (``codes``, ``numbers``)."""
        if self.misread:
            raise DataValidationError(self.misread)

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
    misread = None
    if isinstance(source, pd.DataFrame):
        frame, name, row_word, first_row = source.reset_index(drop=True), f"{kind} DataFrame", "iloc", 0
        csv = None
    else:
        path = Path(source)
        csv = path if path.suffix.lower() == ".csv" else None
        frame, name, row_word, first_row = _read_file(path, kind), path.name, "line" if csv else "row", 1
        if csv:
            try:
                check_fields(csv, frame)
            except FieldCountError as error:
                if not error.header_short:
                    raise
                misread = str(error)  # raised by missing_columns unless it names a column the header lacks,
                # or by codes and numbers
    rename = dict(rename or {})
    columns = {str(c): rename.get(str(c), str(c)).strip().lower() for c in frame.columns}
    frame = frame.rename(columns=columns)
    return Table(frame, name, row_word, first_row, {new: old for old, new in columns.items()}, csv, misread)


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
            return read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_stata(path)
    except DataValidationError:
        raise
    except ValueError as error:  # Arrow, Stata and encoding errors all derive from ValueError
        raise DataValidationError(
            f"{path}: cannot be read as a {suffix[1:]} table ({error}); "
            f"fix: check that the file is a well-formed {suffix[1:]} file with one header row"
        ) from error


def read_csv(path: Path, **options) -> pd.DataFrame:
    """``pd.read_csv(path, **options)``, its parser errors located by file line.

    A quote left open is named by the line it opens on (``_matrix.check_quotes``), a line with too many
    fields by ``check_fields``; any other parser error keeps pandas' words. A frame pandas did read may
    still be wrong: check it with ``check_fields``. Raises DataValidationError.
    """
    try:
        return pd.read_csv(path, **options)
    except pd.errors.ParserError as error:  # e.g. "Expected 5 fields in line 9, saw 6" (a record, not a line)
        _matrix.check_quotes(path, header=True)
        check_fields(path, None)
        raise DataValidationError(f"{path}: cannot be read as a csv table ({str(error).strip()}); "
                                  "fix: check that the file is a well-formed csv file with one header row") from error


class FieldCountError(DataValidationError):
    """A line of a CSV file has more or fewer fields than its header line. ``header_short``: every line
    below the header has the same number of fields, more than the header line names."""

    def __init__(self, message: str, header_short: bool) -> None:
        super().__init__(message)
        self.header_short = header_short


def check_fields(path: Path, frame: pd.DataFrame | None) -> None:
    """Raise FieldCountError if a line of the CSV file ``path`` has more or fewer fields than the header
    line, naming the first such line, its field count, its text and the fix (and the next few lines).

    pandas reads such a file without a word: a first data line with one field more becomes an index
    column, shifting every column to the left, and the fields a short line lacks are filled in empty.
    ``frame`` is ``path`` as pandas read it (None: check anyway); the file is parsed again (by the csv
    module, as ``_matrix.records`` does) only if ``frame`` hints at such a line: an index column, or an
    empty cell in the last column. A blank line (empty or spaces) is no such line: pandas skips it or
    reads it as a row of empty values (``skip_blank_lines``), for the reader to judge.
    """
    if frame is not None and isinstance(frame.index, pd.RangeIndex):
        last = frame.iloc[:, -1] if len(frame.columns) else pd.Series(dtype=str)
        if not (last.isna().any() or last.eq("").any()):
            return
    expected, first, others, n_rows, n_bad, counts = None, None, [], 0, 0, set()
    for line, row in _matrix.records(path):  # streamed, keeping few rows: a list of them all costs the GC seconds
        if not row or (len(row) == 1 and _blank(row[0])):
            continue
        if expected is None:
            expected = len(row)
            continue
        n_rows += 1
        if len(row) != expected:
            n_bad += 1
            counts.add(len(row))
            if first is None:
                first = line, row
            elif len(others) < 5:
                others.append(str(line))
    if first is None:
        return
    line, row = first
    with path.open(newline="", encoding="utf-8-sig") as handle:
        text = next(itertools.islice(handle, line - 1, None), "").rstrip("\r\n")[:_matrix.SHOWN]
    fix = ("remove the extra field, or quote a value that holds a comma" if len(row) > expected
           else "add the missing field (an empty value still needs its comma)")
    fields = f"{len(row)} field{'s' * (len(row) != 1)}, expected {expected} as in the header line"
    header_short = n_bad == n_rows > 1 and len(counts) == 1 and len(row) > expected
    if header_short:
        problem = f"every line below the header line has {fields} (line {line}: {text!r})"
        fix = "name every column in the header line, or remove the extra field from every line below it"
    else:
        more = "" if n_bad == 1 else (f"; {n_bad - 1} more line{'s' * (n_bad != 2)} with a number of fields other "
                                      f"than {expected}: {', '.join(others)}{', ...' * (n_bad - 1 > len(others))}")
        problem = f"line {line} has {fields} (value: {text!r}){more}"
    raise FieldCountError(f"{path}: cannot be read as a csv table: {problem}; fix: {fix}", header_short)


def _blank(field: str) -> bool:
    """Whether a line holding only ``field`` is blank to pandas: spaces (a quoted ``""`` is a value)."""
    return field != "" and not field.strip()


def _rows(path: Path, skip_blank: bool) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV file that pandas makes its header and rows, each with the line it starts on;
    a blank line (empty or spaces) is a record of no fields, or none with ``skip_blank``, as pandas'
    ``skip_blank_lines``."""
    for line, row in _matrix.records(path):
        blank = not row or (len(row) == 1 and _blank(row[0]))
        if not (blank and skip_blank):
            yield line, [] if blank else row


def csv_line(path: Path, position: int, skip_blank: bool = False) -> int:
    """The line on which data row ``position`` (0-based, below the header) of the CSV file ``path``
    starts, as a text editor shows it (a quoted field may span lines); ``skip_blank`` as pandas'
    ``skip_blank_lines``, with which pandas read the file."""
    line, _ = next(itertools.islice(_rows(path, skip_blank), position + 1, None))
    return line


def missing_columns(table: Table, required: Sequence[str]) -> list[Problem]:
    """One problem naming the required columns that ``table`` lacks.

    Raises DataValidationError if ``table`` lacks none but was misread (see ``Table.misread``)."""
    missing = [c for c in required if not table.has(c)]
    if not missing:
        table.refuse_misread()
        return []
    if len(missing) == len(required) and (headerless := check_header(table, ",".join(required))):
        return headerless
    found = [table.original.get(c, c) for c in table.frame.columns]
    return [Problem(f"{table.name} lacks required column(s) {', '.join(map(repr, missing))}"
                    f" (found: {', '.join(map(repr, found)) or 'none'})"
                    f"{', and every line below the header line has more fields than it names' * bool(table.misread)}",
                    None, found,
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
    table.refuse_misread()
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
    table.refuse_misread()
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
