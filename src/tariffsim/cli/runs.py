"""``tariffsim runs``: the saved runs (``--save`` on solve, nash, optimal, talks): list, show, compare, export.

The database is ``--runs-db FILE``, else ``$TARIFFSIM_RUNS``, else ``~/.local/share/tariffsim/runs.sqlite``
(``tariffsim.store``). ``Save`` and ``RunsDb`` are the options the computing commands take; they call
``open_store`` before any work (a bad database fails at once) and ``save`` once their outputs are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tariffsim.cli._common import friendly_errors, print_frame, stdout

if TYPE_CHECKING:
    from tariffsim.store import Store

Save = Annotated[bool, typer.Option("--save", help="Save the run (facts and every result) in the runs database: "
                                    "--runs-db, $TARIFFSIM_RUNS or ~/.local/share/tariffsim/runs.sqlite; see "
                                    "`tariffsim runs`.")]
RunsDb = Annotated[Path | None, typer.Option("--runs-db", dir_okay=False, help="The runs database (SQLite file; "
                                             "default $TARIFFSIM_RUNS or ~/.local/share/tariffsim/runs.sqlite).")]

SHOWN_VARIABLES = 6
"""Country results shown by ``runs show`` (the first ones the run saved: the headline ones)."""

app = typer.Typer(help="Saved runs (--save on solve, nash, optimal, talks): list, show, compare, export.",
                  no_args_is_help=True)


def open_store(save: bool, runs_db: Path | None) -> Store | None:
    """The runs database when ``--save`` is given (opened now, so a bad file fails before any work)."""
    if not save:
        return None
    from tariffsim.store import Store

    return Store(runs_db)


def save(store: Store | None, command: str, document: dict, title: str, scenario_file: Path | None = None) -> None:
    """Save the run of ``document`` into ``store`` (nothing when ``store`` is None) and say where."""
    if store is None:
        return
    from tariffsim.cli._common import stderr
    from tariffsim.store import run_from_document

    with store:
        run_id = store.save(run_from_document(command, document, title=title, scenario_file=scenario_file))
    stderr.print(f"saved run {run_id} in {store.path} (`tariffsim runs show {run_id}`)", highlight=False)


def refuse_sweep(store: Store | None, elasticity: str | None) -> None:
    """OptionError for ``--save`` with an elasticity sweep (``--elasticity all`` or a list): a run is one
    solution."""
    from tariffsim.cli._war_sweep import is_sweep
    from tariffsim.errors import OptionError

    if store is not None and is_sweep(elasticity):
        raise OptionError(f"--save with --elasticity {elasticity}: a saved run is one solution; run once per set "
                          "(--elasticity U4, --elasticity CP, ...) with --save")


def _store(runs_db: Path | None) -> Store:
    from tariffsim.errors import OptionError
    from tariffsim.store import Store, default_path

    path = runs_db or default_path()
    if not path.exists():
        raise OptionError(f"no runs database at {path}: save a run first (--save on solve, nash, optimal or talks), "
                          "or give the file with --runs-db")
    return Store(path)


@app.command("list")
def list_runs(ctx: typer.Context, runs_db: RunsDb = None) -> None:
    """Every saved run: id, when, command, title, world, year, elasticity set, model, result rows.

    Example: [bold]tariffsim runs list[/]
    """
    import pandas as pd

    with friendly_errors(ctx), _store(runs_db) as store:
        frame = store.list()
        if frame.empty:
            stdout.print(f"no runs saved in {store.path} yet")
            return
        from rich.table import Table

        table = Table(title=f"Saved runs in {store.path}", title_justify="left",
                      caption="tariffsim runs show ID: one run's facts and results", caption_justify="left")
        frame["created"] = frame["created"].str.slice(0, 16).str.replace("T", " ")  # minutes, UTC
        cells = frame.reset_index().map(lambda v: "" if pd.isna(v) else str(v))
        for column in cells.columns:
            wraps = column in ("title", "world")  # the long texts wrap; every other column is shown whole
            table.add_column(column, justify="right" if column in ("id", "year", "rows") else "left", no_wrap=not wraps,
                             min_width=12 if wraps else max(len(column), cells[column].str.len().max()))
        for row in cells.itertuples(index=False):
            table.add_row(*row)
        stdout.print(table)


@app.command("show")
def show(ctx: typer.Context, run_id: str = typer.Argument(..., help="The run's id (see `tariffsim runs list`)."),
         runs_db: RunsDb = None) -> None:
    """One run: its facts (scenario, world, year, elasticities, deficits, model, solver, version) and its
    per-country results.

    Example: [bold]tariffsim runs show 3[/]
    """
    with friendly_errors(ctx), _store(runs_db) as store:
        run = store.get(run_id)
        meta = run.meta
        facts = {"command": meta["command"], "created": meta["created"], "world": meta["world"],
                 "year": meta["year"], "elasticity": (meta["assumptions"] or {}).get("elasticity", meta["elasticity"]),
                 "deficits": meta["deficits"], "model": meta["model"], "tariffsim": meta["version"],
                 "solver": json.dumps(meta["solver"], default=str)[:200], "scenario": json.dumps(meta["scenario"])[:200],
                 "result rows": meta["n_results"]}
        stdout.print(f"[bold]run {meta['id']}: {meta['title']}[/]")
        for key, value in facts.items():
            stdout.print(f"  {key}: {value if value is not None else ''}", highlight=False)
        results = run.results
        changes = results[(results["level"] == "country") & (results["unit"] == "pct")]
        if len(changes):
            wide = changes.pivot_table(index="country", columns="variable", values="value", sort=False, dropna=False)
            print_frame(wide.iloc[:, :SHOWN_VARIABLES], f"Run {meta['id']}: country results, % change", digits=3,
                        caption=f"Every result ({len(results)} rows): tariffsim runs export {meta['id']} --csv FILE")


@app.command("compare")
def compare(ctx: typer.Context, first: str = typer.Argument(..., help="A run id."),
            second: str = typer.Argument(..., help="Another run id."),
            variable: str = typer.Option("welfare", "--variable", help="The country result to compare."),
            runs_db: RunsDb = None) -> None:
    """Two runs side by side: a country result in each and the difference (second minus first).

    Example: [bold]tariffsim runs compare 1 2 --variable exports[/]
    """
    with friendly_errors(ctx), _store(runs_db) as store:
        from tariffsim.store import compare as compare_runs

        a, b = store.get(first), store.get(second)
        print_frame(compare_runs(a, b, variable), f"{variable}: run {a.id} ({a.meta['title']}) and run {b.id} "
                    f"({b.meta['title']})", digits=3)


@app.command("export")
def export(ctx: typer.Context, run_id: str = typer.Argument(..., help="The run's id."),
           csv_file: Path = typer.Option(None, "--csv", dir_okay=False, help="Write the long results table here."),
           json_file: Path = typer.Option(None, "--json", dir_okay=False, help="Write the run's facts and results "
                                          "as one JSON document here."),
           runs_db: RunsDb = None) -> None:
    """Write a run's results as CSV (the long table) and/or JSON (facts and results).

    Example: [bold]tariffsim runs export 3 --csv run3.csv --json run3.json[/]
    """
    with friendly_errors(ctx):
        from tariffsim.errors import OptionError
        from tariffsim.outputs import Outputs

        if csv_file is None and json_file is None:
            raise OptionError("tariffsim runs export: give --csv FILE and/or --json FILE")
        outputs = Outputs()
        csv_path, json_path = outputs.file(csv_file, "--csv"), outputs.file(json_file, "--json")
        with _store(runs_db) as store:
            run = store.get(run_id)
        writers = {}
        if csv_path is not None:
            writers[csv_path] = lambda path: run.results.to_csv(path, index=False)
        if json_path is not None:
            document = {"schema": "tariffsim.run", "schema_version": 1, **run.meta,
                        "results": json.loads(run.results.to_json(orient="records"))}
            writers[json_path] = lambda path: path.write_text(json.dumps(document, indent=1, allow_nan=True))
        for path in outputs.write(writers):
            stdout.print(f"wrote {path}")
