"""``tariffsim replicate``: published results recomputed from their raw data, e.g. Ossa (2014)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import typer

from tariffsim.cli._common import friendly_errors, print_frame, stderr, stdout

app = typer.Typer(help="Replicate published results from their raw data (tables as CSV, cubes, run.json).",
                  no_args_is_help=True)


@app.command("ossa2014", no_args_is_help=True)
def ossa2014(
    ctx: typer.Context,
    data: str = typer.Option(..., "--data", "-d", help="Ossa's data folder (regions.csv, trade_ijs.csv, "
                             "tariff_ijs.csv, sigma_s.csv, tariff_noncoop.csv), or its name under $TARIFFSIM_DATA."),
    out: Path = typer.Option(..., "--out", "-o", file_okay=False, help="New (or empty) folder for the results."),
    versions: str = typer.Option("main,low,med,high,novar", "--versions",
                                 help="Sigma versions, comma-separated: main, low, med, high, novar."),
    tables: str = typer.Option("1,2,3,4,5,8,9,10", "--tables", help="Tables to write, comma-separated."),
    weights: str = typer.Option("paper", "--weights", "-w", help="How the political-economy weights lambda "
                                "(panels b and c, Table 1) are calibrated: 'paper' (default) runs Ossa's own "
                                "sign-step heuristic, quirks included, as behind the published tables; "
                                "'exact' solves the paper's calibration criterion exactly (MFN optimal tariffs "
                                "follow the targets' pattern), which changes panels b and c (e.g. Japan)."),
    scheduler: str = typer.Option("local", "--scheduler", help="Where versions run when there are several: "
                                  "'local' (a dask LocalCluster), 'serial', or a dask scheduler address."),
    workers: int = typer.Option(2, "--workers", min=1, help="LocalCluster worker processes."),
) -> None:
    """Replicate Ossa (2014), "Trade Wars and Trade Talks with Data": purge, targets, lambda, optimal, Nash
    and cooperative tariffs (MFN and not; BAS and POL), computed from the raw CSV files.

    Writes table3a.csv ... table10c.csv (rows = regions + average, percent as printed), the tariff cubes
    found (cubes/<version>/*.npy) and run.json (timings, solver residuals, versions, the weights used).

    The weights of panels b and c are the paper's by default (--weights paper: its heuristic search, which
    stops near but not at the calibration criterion); --weights exact solves the criterion instead.

    Example: [bold]tariffsim replicate ossa2014 --data ossa2014 --out ossa2014-replication --versions main[/]
    """
    with friendly_errors(ctx):
        from tariffsim.datasets import dataset_path
        from tariffsim.errors import OptionError
        from tariffsim.replication.ossa2014_output import check_out_folder, write_replication
        from tariffsim.replication.ossa2014_pipeline import planned_cost, replicate, weights_method

        chosen_versions = [v.strip().lower() for v in versions.split(",") if v.strip()]
        try:
            chosen_tables = sorted({int(t) for t in tables.split(",") if t.strip()})
        except ValueError:
            raise OptionError(f"--tables {tables!r}: give table numbers separated by commas, e.g. 3,4,5") from None
        method, _ = weights_method(weights)
        folder = dataset_path(data)
        check_out_folder(out)
        clock = time.perf_counter()
        from tariffsim.parallel import executor, relayed

        # Several versions run on dask, each whole on a worker; its stages report back as dask events.
        where = "serial" if len(chosen_versions) == 1 else scheduler
        with executor(where, workers) as versions_map, \
                _progress(chosen_versions, planned_cost(chosen_tables, weights=method)) as bars, \
                relayed(versions_map, bars) as report:
            runs = replicate(folder, chosen_versions, tables=chosen_tables, calibrate=method,
                             versions_map=versions_map, report=report)
        written = write_replication(runs, chosen_tables, out, data=str(folder), seconds=time.perf_counter() - clock,
                                    weights=method)
        _summary(runs, written, out)


@app.command("ilms2025", no_args_is_help=True)
def ilms2025(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", file_okay=False, help="New (or empty) folder for the results."),
    data: str = typer.Option("ilms2025", "--data", "-d", help="The paper's data folder (trade_cepii.csv, gdp.csv, "
                             "tariffs.csv, country_labels.csv), or its name under $TARIFFSIM_DATA."),
    corrected: bool = typer.Option(False, "--corrected", help="Tables without the code's quirks: the EU of 27 (not "
                                   "25) in the EU rows, Table 10's non-US welfare spending-weighted and panel (4) "
                                   "its own (the experiments keep theirs)."),
) -> None:
    """Replicate Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), "Making America Great Again? The
    Economic Impacts of Liberation Day Tariffs": the experiments B1-B9, R1-R3, D1-D4, IO1 and IO3 on the
    194-country data, and Tables 1, 2, 3, 4, 8, 9, 10, 11 with the two map files.

    Writes table1.csv ... table11.csv (rows and columns as printed, rounded to the printed digits; cells the
    data or this replication cannot give are empty, with the reason in the note column and run.json),
    output_map.csv, output_map_retal.csv and run.json (residuals, timings, what is missing and why).

    Example: [bold]tariffsim replicate ilms2025 --out ilms2025-replication[/]
    """
    with friendly_errors(ctx):
        from tariffsim.datasets import dataset_path
        from tariffsim.ilms_data import read_ilms_data
        from tariffsim.ilms_experiments import EXPERIMENTS
        from tariffsim.io.ilms2025 import ilms2025_baseline
        from tariffsim.replication.ilms2025 import TableQuirks, run_experiments, tables, write_replication
        from tariffsim.replication.ossa2014_output import check_out_folder

        folder = dataset_path(data)
        check_out_folder(out)
        clock = time.perf_counter()
        ilms = read_ilms_data(folder)
        quirks = TableQuirks(False, False, False) if corrected else TableQuirks()
        with _bar(len(EXPERIMENTS), "solving the experiments") as advance:
            results = run_experiments(ilms, on_result=lambda r: advance(f"{r.name} (residual {r.residual:.0e})"))
        written = tables(results, ilms.world, ilms2025_baseline(folder).gdp, quirks)
        files = write_replication(results, written, out, data=str(folder), quirks=quirks,
                                  seconds=time.perf_counter() - clock)
        table1 = written["table1"].assign(row=lambda f: f["panel"] + ": " + f["row"]).set_index("row")
        table1 = table1.drop(columns=["panel", "experiment", "note"])
        print_frame(table1, "Table 1 (percent changes)", digits=2)
        worst = max(r.residual for r in results.values())
        stdout.print(f"{len(results)} experiments, worst equation residual {worst:.1e}; wrote {len(files)} files "
                     f"to {out} in {time.perf_counter() - clock:.1f} s")


@contextlib.contextmanager
def _bar(total: int, description: str) -> Iterator:
    """A rich bar on stderr (only on a terminal); yields ``advance(text)``."""
    if not sys.stderr.isatty():
        yield lambda text: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda text: bar.update(task, advance=1, description=f"{description}: {text}")


@contextlib.contextmanager
def _progress(versions: list[str], total: float) -> Iterator:
    """One rich bar per version on stderr (stage done and ETA), only when stderr is a terminal; yields
    the pipeline's report callback."""
    if not sys.stderr.isatty():
        yield lambda version, done, cost: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=stderr, transient=True) as bar:
        tasks = {v: bar.add_task(f"{v}: purging", total=total) for v in versions}

        def report(version: str, done: str, cost: float) -> None:
            bar.update(tasks[version], advance=cost, description=f"{version}: done {done}")

        yield report


def _summary(runs, written: dict, out: Path) -> None:
    """Each main panel's average row (as written) and the run's worst residuals on stdout."""
    from tariffsim.replication.ossa2014_output import worst_residuals

    for name, frame in written.items():
        if name.startswith("table") and name[-1] in "ab" and "average" in frame.index:
            print_frame(frame.loc[["average"]], f"{name} (percent)", digits=2)
    worst = worst_residuals(runs)
    if worst:
        stdout.print("worst residuals: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    stdout.print(f"wrote {len(written)} tables, the cubes and run.json to {out}")
