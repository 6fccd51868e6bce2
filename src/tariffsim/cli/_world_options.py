"""Options shared by the world-scale game commands (``nash`` and ``optimal`` with ``--method stacked``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Mode = Annotated[str, typer.Option("--mode", help="With --method stacked: uniform (one tariff per country on every "
                                   "partner and sector), mfn (per sector; also --mfn) or discriminatory (per partner "
                                   "and sector, small worlds).")]
Convention = Annotated[str | None, typer.Option("--convention", help="tariffwar: the peer package's conventions "
                                                "(armington, tariff-inclusive flows, ICIO domestic floor, purge, "
                                                "uniform tariffs capped at 100%; implies --method stacked). See "
                                                "docs/conventions.md.")]
CsvFolder = Annotated[Path | None, typer.Option("--csv", help="With --method stacked: write countries.csv and "
                                                "tariffs.csv into this new (or empty) folder.")]
Check = Annotated[int, typer.Option("--check", min=0, help="With --method stacked: players re-optimised to verify "
                                    "the war (all when there are at most 10).")]
