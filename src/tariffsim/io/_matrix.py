"""Headerless numeric CSV matrices and name lists (the Ossa-style files), read with the csv module.

Every location is a file line as a text editor shows it (1-based, a header line counts as line 1)
and a 1-based column. ``records`` and ``check_quotes`` serve the pandas tables too: the csv module
splits a file into records exactly as pandas does, so both name the same lines.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tariffsim._validate import Problem
from tariffsim.errors import DataValidationError
from tariffsim.io._problems import at, missing_header, unexpected_header

SHOWN = 80
"""At most this many characters of a line are quoted in a message."""


@dataclass(frozen=True)
class Records:
    """The rows of a CSV file as stripped strings (trailing blank lines dropped) and the line each starts on."""

    name: str
    rows: list[list[str]]
    lines: list[int]

    def where(self, r: int, c: int | None = None) -> str:
        """``"trade_ijs.csv line 5, column 2"`` for row ``r`` and column ``c`` (both 0-based)."""
        line = f"{self.name} line {self.lines[r]}"
        return line if c is None else f"{line}, column {c + 1}"

    def column(self, c: int) -> list[str]:
        """Column ``c`` (0-based) of every row, ``""`` where a row is shorter."""
        return [row[c] if len(row) > c else "" for row in self.rows]

    def text(self, r: int) -> str:
        """Row ``r`` as a line of text, for a message."""
        return ",".join(self.rows[r])[:SHOWN]


def records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record of ``path`` with the line it starts on (a quoted field may span several lines)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        start = 1
        for row in reader:
            yield start, row
            start = reader.line_num + 1


def check_quotes(path: Path, header: bool) -> None:
    """Raise DataValidationError if a quote in ``path`` is never closed, naming the line it opens on.

    Such a quote makes the rest of the file one field of the last record, so only the text from that
    record on is parsed again, strictly. ``header``: name the column by line 1 rather than by number.
    """
    first, start, row = None, 1, []
    for start, row in records(path):
        first = row if first is None else first
    with path.open(newline="", encoding="utf-8-sig") as handle:
        tail = list(itertools.islice(handle, start - 1, None))
    try:
        for _ in csv.reader(tail, strict=True):
            pass
        return
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            return
    line = start + sum(cell.count("\n") for cell in row[:-1])  # earlier fields of the record may span lines
    k = len(row) - 1
    column = repr(first[k]) if header and start > 1 and k < len(first) else str(k + 1)
    raise _quote_error(path, line, column, "never closed", tail[min(line - start, len(tail) - 1)].rstrip())


def _quote_error(path: Path, line: int, column: str, closed: str, text: str) -> DataValidationError:
    return DataValidationError(f"{path}: a quote opened on line {line}, column {column} is {closed} "
                               f"(value: {text[:SHOWN]!r}); fix: close the quote or remove it")


def read(path: Path) -> Records:
    """The rows of a CSV file. A quote left open is an error naming its line: at the end of the file,
    and also where a later quote closes it, for no value of these files spans lines."""
    check_quotes(path, header=False)
    found = list(records(path))
    for (line, row), (end, _) in itertools.pairwise(found):
        if end > line + 1:
            k = next((k for k, cell in enumerate(row) if "\n" in cell or "\r" in cell), len(row) - 1)
            raise _quote_error(path, line, str(k + 1), f"closed only on line {end - 1}", ",".join(row))
    rows = [[cell.strip() for cell in row] for _, row in found]
    while rows and not any(rows[-1]):
        rows.pop()
    return Records(path.name, rows, [line for line, _ in found[:len(rows)]])


def after_header(table: Records, example: str) -> tuple[Records, list[Problem]]:
    """The rows of ``table`` below its header line, and a problem if line 1 holds data instead (it begins
    with a number, as ``1,Brazil`` does). ``example`` is a header line to suggest, e.g. ``"No.,String"``."""
    problems = []
    if table.rows and table.rows[0] and is_number(table.rows[0][0]):
        problems.append(missing_header(table.name, table.text(0), example))
    return Records(table.name, table.rows[1:], table.lines[1:]), problems


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (as ``float`` reads it)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def matrix(table: Records, shape: tuple[int, int], why: str) -> tuple[np.ndarray, list[Problem]]:
    """A (rows, columns) float matrix, and the problems found: a header line, wrong counts or non-numeric
    cells.

    ``why`` explains the expected shape in messages, e.g. ``"7 regions x 33 sectors"``. One row too many
    whose line 1 is not all numbers is a header line, and reported as such.
    """
    rows, name = table.rows, table.name
    n_rows, n_columns = shape
    if len(rows) == n_rows + 1 and not all(map(is_number, rows[0])):
        return np.empty(shape), [unexpected_header(name, table.text(0))]
    problems = []
    if len(rows) != n_rows:
        problems.append(Problem(f"{name} has {len(rows)} rows, expected {n_rows} ({why})", None,
                                len(rows), f"give {name} {n_rows} rows of {n_columns} numbers"))
    counts = [len(row) for row in rows]
    if counts and all(count == counts[0] != n_columns for count in counts):
        problems.append(Problem(f"{name} has {counts[0]} columns, expected {n_columns} ({why})", None,
                                counts[0], f"give every row of {name} {n_columns} numbers"))
    else:
        problems += [Problem(f"row has {count} columns, expected {n_columns} ({why})",
                             at(table.where(r)), count, f"give every row {n_columns} numbers")
                     for r, count in enumerate(counts) if count != n_columns]
    if problems:
        return np.empty(shape), problems
    values = np.empty(shape)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            try:
                values[r, c] = float(cell)
            except ValueError:
                problems.append(Problem("value is not a number", at(table.where(r, c)),
                                        cell, "write a plain number (e.g. 1234.5 or .25)"))
    return values, problems
