"""Problems found in files, each located by a ready-made "file line, column" phrase.

Table-level checks (missing columns, non-numeric values, duplicate or unknown codes ...) build
``Problem``s whose cell is ``("at", "<file> line <l>, column <c>")``, the line as a text editor shows
it; value checks on the assembled cubes go through ``world.check_arrays`` with a reader-specific
``locate``. Both end in the same ``_validate.describe`` message, so every reader error reads alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tariffsim._validate import Cell, Problem, describe
from tariffsim.errors import DataValidationError


def require_files(folder, files: Sequence[str], layout: str):
    """``folder`` as a Path, or DataValidationError naming the files of ``layout`` it lacks."""
    from pathlib import Path

    folder = Path(folder)
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise DataValidationError(f"{folder} lacks {', '.join(missing)}; fix: {layout} holds {', '.join(files)}")
    return folder


def at(where: str) -> Cell:
    """A cell that is already a location phrase, e.g. ``"flows.csv line 5, column 'value'"``."""
    return ("at", where)


def raise_if(problems: list[Problem], header: str) -> None:
    """Raise one DataValidationError listing ``problems`` (located by their ``at`` cells), if any."""
    if problems:
        raise DataValidationError(describe(problems, lambda cell: cell[1], header))


def repeated(keys: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (first position, later position) of keys that occur more than once, in file order."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]  # sorted position k + 1 repeats position k
    run_start = np.maximum.accumulate(np.where(np.r_[True, ~same], np.arange(len(keys)), 0))
    first, later = order[run_start[1:][same]], order[1:][same]
    return sorted(zip(first.tolist(), later.tolist()), key=lambda pair: pair[1])


def duplicate_codes(codes: Sequence[str], where: Callable[[int], str], kind: str) -> list[Problem]:
    """One problem per repeated code, naming both rows (``where(position)`` locates a row)."""
    return [
        Problem(f"duplicate {kind} code {codes[later]!r} (also at {where(first)})", at(where(later)),
                codes[later], f"give every {kind} exactly one row with a unique code")
        for first, later in repeated(np.asarray(codes, dtype=str))
    ]


def unexpected_header(name: str, line: str) -> Problem:
    """Line 1 of ``name``, a file without a header line, reads like one (``line`` is its text)."""
    return Problem(f"{name}: line 1 looks like a header", None, line, f"{name} has no header line; delete line 1")


def missing_header(name: str, line: str, example: str) -> Problem:
    """Line 1 of ``name``, a file that starts with a header line, holds data (``line`` is its text)."""
    return Problem(f"{name}: line 1 looks like data, not a header", None, line,
                   f"{name} starts with a header line; insert one above line 1, e.g. {example!r}")
