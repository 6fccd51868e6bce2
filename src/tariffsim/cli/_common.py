"""What every command shares: error handling, consoles, world loading, tables."""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from tariffsim.world import World

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)

DATA_HELP = ("Data set: a folder, a name under $TARIFFSIM_DATA (e.g. ossa2014, icio2022, wiod2014), a world cube "
             "(.mat), or 'demo' for the synthetic demo world.")
Year = Annotated[int, typer.Option("--year", "-y", help="Data year, when --data is a folder of world cubes "
                                                        "(tariffwar: ICIO 2011-2022, WIOD 2000-2014).")]
Elasticity = Annotated[str, typer.Option(
    "--elasticity", "-e", help="Elasticity set of a world cube: U4 (default: uniform 4), CP, IS, BSY, GYY, Shap, FGO or LL.")]


@dataclass
class State:
    debug: bool = False


@contextlib.contextmanager
def friendly_errors(ctx: typer.Context) -> Iterator[None]:
    """Turn a TariffsimError into one red message and exit status 1 (traceback with --debug)."""
    from tariffsim.errors import TariffsimError

    try:
        yield
    except TariffsimError as error:
        if ctx.obj is not None and ctx.obj.debug:
            raise
        stderr.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None


def show_warning(text: str) -> None:
    """One yellow "warning:" line on stderr."""
    stderr.print(f"[bold yellow]warning:[/] {escape(text)}", highlight=False)


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner on stderr while something runs, only when stderr is a terminal."""
    if sys.stderr.isatty():
        with stderr.status(message):
            yield
    else:
        yield


def load_world(data: str | None, fallback: str | None = None, *, year: int | None = None,
               elasticity: str | None = None) -> World:
    """Read the data set named by ``data`` (or the scenario's ``world``), with a clear error if none;
    ``year`` and ``elasticity`` as ``io.read_world`` takes them."""
    from tariffsim.errors import DataValidationError
    from tariffsim.io import read_world

    spec = data or fallback
    if spec is None:
        raise DataValidationError("no data set given: use --data icio2022 (real 2022 data for 81 economies, shipped "
                                  "with tariffsim), --data NAME (under $TARIFFSIM_DATA), --data DIR, or --data demo "
                                  "for the synthetic demo world")
    with status(f"reading {spec}"):
        return read_world(spec, year=year, elasticity=elasticity)


UNDEFINED_CELL = "n/a"
UNDEFINED_NOTE = (f"{UNDEFINED_CELL} = undefined: no baseline trade (a change from a zero baseline has no "
                  "percentage).")


def print_frame(frame: pd.DataFrame, title: str, digits: int = 2, caption: str | None = None,
                undefined: str = UNDEFINED_NOTE) -> None:
    """A DataFrame as a rich table on stdout: index first, numbers right-aligned, rounded and never cut.

    An undefined (NaN) cell prints as ``n/a``, never as a number or blank, and the caption then gains
    the line ``undefined`` saying why.

    A frame wider than the console with fewer rows than columns (a summary row of many measures) is
    printed transposed, one measure a line, rather than with cut labels or folded headers.
    """
    if any(isinstance(v, float) and math.isnan(v) for v in frame.to_numpy().ravel()):
        caption = f"{caption}\n{undefined}" if caption else undefined
    table = _table(frame, title, digits, caption)
    natural = Measurement.get(stdout, stdout.options.update(max_width=10**6), table).maximum
    if len(frame) < len(frame.columns) and natural > stdout.width:
        table = _table(frame.T, title, digits, caption)
    stdout.print(table)


def _table(frame: pd.DataFrame, title: str, digits: int, caption: str | None) -> Table:
    cells = [[_cell(v, digits) for v in row] for _, row in frame.iterrows()]
    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    table.add_column(str(frame.index.name or ""), style="bold", no_wrap=True,
                     min_width=max([len(str(frame.index.name or ""))] + [len(str(label)) for label in frame.index]))
    for k, column in enumerate(frame.columns):
        table.add_column(str(column), justify="right", no_wrap=True,
                         min_width=max([len(str(column))] + [len(row[k]) for row in cells]))
    for label, row in zip(frame.index, cells, strict=True):
        table.add_row(str(label), *row)
    return table


def _cell(value: object, digits: int) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return UNDEFINED_CELL
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value if round(value, digits) else 0.0:,.{digits}f}"  # -0.001 prints 0.00, not -0.00
    return str(value)
