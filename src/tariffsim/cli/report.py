"""``tariffsim report``: run a scenario pack and write one self-contained HTML report with figures and tables."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._common import DATA_HELP, friendly_errors, stderr, stdout


def report(
    ctx: typer.Context,
    pack: Path = typer.Argument(..., exists=True, file_okay=False,
                                help="Scenario pack folder with a pack.toml, e.g. examples/japan_us_2018."),
    out: Path = typer.Option(..., "--out", "-o", file_okay=False, help="Output folder (created if missing)."),
    data: str = typer.Option(None, "--data", "-d", help=DATA_HELP + " Default: the pack's `world`."),
    frontier_points: int = typer.Option(None, "--frontier-points", min=2,
                                        help="Deals on the bargaining frontier (default: the pack's; fewer is faster)."),
) -> None:
    """Run every scenario of a pack, its trade-diversion comparison and game view; write report.html.

    Example: [bold]tariffsim report examples/japan_us_2018 --out japan_us_report[/]
    """
    with friendly_errors(ctx):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from tariffsim.report import build_report, load_pack, step_count

        total = step_count(load_pack(pack))
        with Progress(TimeElapsedColumn(), BarColumn(bar_width=24), MofNCompleteColumn(), TextColumn("{task.description}"),
                      console=stderr, disable=not stderr.is_terminal) as bars:
            task = bars.add_task("report", total=total)
            started = []

            def on_step(description: str) -> None:
                if started:
                    bars.advance(task)
                started.append(description)
                bars.update(task, description=description)

            written = build_report(pack, out, data=data, frontier_points=frontier_points, on_step=on_step)
            bars.update(task, completed=total, description="done")
        if written.game_reused:
            stderr.print(f"[dim]game view reused from {out / 'cache'} (delete it to compute again)[/]", highlight=False)
        stdout.print(f"wrote {written.html} and {len(written.files) - 1} figure and table files under {out} "
                     f"in {sum(written.seconds.values()):.1f} s")
