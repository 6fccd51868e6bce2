"""Headerless numeric CSV matrices and name lists (the Ossa-style files), read with the csv module.

Rows and columns are 1-based as in a spreadsheet; a file without a header has data from row 1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from tariffsim._validate import Problem
from tariffsim.io._problems import at


def rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file as stripped strings; trailing blank lines dropped."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        table = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    while table and not any(table[-1]):
        table.pop()
    return table


def column(path: Path, position: int, header: bool) -> list[str]:
    """Column ``position`` (0-based) of a CSV file of names, skipping a header row if ``header``."""
    table = rows(path)[1:] if header else rows(path)
    return [row[position] if len(row) > position else "" for row in table]


def matrix(path: Path, shape: tuple[int, int], why: str) -> tuple[np.ndarray, list[Problem]]:
    """A (rows, columns) float matrix, and the problems found: wrong counts or non-numeric cells.

    ``why`` explains the expected shape in messages, e.g. ``"7 regions x 33 sectors"``.
    """
    table = rows(path)
    n_rows, n_columns = shape
    problems = []
    if len(table) != n_rows:
        problems.append(Problem(f"{path.name} has {len(table)} rows, expected {n_rows} ({why})", None,
                                len(table), f"give {path.name} {n_rows} rows of {n_columns} numbers"))
    counts = [len(row) for row in table]
    if counts and all(count == counts[0] != n_columns for count in counts):
        problems.append(Problem(f"{path.name} has {counts[0]} columns, expected {n_columns} ({why})", None,
                                counts[0], f"give every row of {path.name} {n_columns} numbers"))
    else:
        problems += [Problem(f"row has {count} columns, expected {n_columns} ({why})",
                             at(f"{path.name} row {r + 1}"), count, f"give every row {n_columns} numbers")
                     for r, count in enumerate(counts) if count != n_columns]
    if problems:
        return np.empty(shape), problems
    values = np.empty(shape)
    for r, row in enumerate(table):
        for c, cell in enumerate(row):
            try:
                values[r, c] = float(cell)
            except ValueError:
                problems.append(Problem("value is not a number", at(f"{path.name} row {r + 1}, column {c + 1}"),
                                        cell, "write a plain number (e.g. 1234.5 or .25)"))
    return values, problems
