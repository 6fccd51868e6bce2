"""``tariffsim purge``: remove trade imbalances (MODEL_OSSA2014.md §4.1) and write the purged world."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._common import DATA_HELP, friendly_errors, load_world, print_frame, status, stdout


def purge(
    ctx: typer.Context,
    data: str = typer.Option(..., "--data", "-d", help=DATA_HELP),
    out: Path = typer.Option(..., "--out", "-o", file_okay=False, help="Folder for the purged world (long format)."),
    model: str = typer.Option("krugman", "--model", "-m", help="Model used to purge: krugman or armington."),
    format: str = typer.Option("csv", "--format", help="csv or parquet."),
) -> None:
    """Purge trade imbalances: solve at factual tariffs with zero net exports, keep the new flows.

    Example: [bold]tariffsim purge --data ossa2014 --out purged/[/]
    """
    with friendly_errors(ctx):
        import pandas as pd

        from tariffsim.io import write_long
        from tariffsim.models import get_model
        from tariffsim.outputs import Outputs
        from tariffsim.purge import purge_equilibrium

        Outputs().folder(out, "--out")  # a bad target fails now, before the purge
        world = load_world(data)
        with status("purging trade imbalances"):
            equilibrium = purge_equilibrium(world, get_model(model))
        purged = world.replace(trade=equilibrium.trade, label=f"{world.label} (trade imbalances purged)")
        folder = write_long(purged, out, format=format)
        frame = pd.DataFrame({"net exports before, % of E": 100 * world.net_exports / world.expenditure,
                              "E_hat": equilibrium.E_hat, "w_hat": equilibrium.w_hat},
                             index=pd.Index(world.countries, name="country"))
        print_frame(frame, f"Purged {world.label or data} (max residual {equilibrium.max_residual:.1e})", digits=4)
        stdout.print(f"wrote {folder}")
