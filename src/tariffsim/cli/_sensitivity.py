"""``tariffsim solve --elasticity all`` (or a list, ``--elasticity U4,CP``): the scenario under every elasticity
set (or each listed one), and the range of answers."""

from __future__ import annotations

import json
from pathlib import Path

from tariffsim.cli._common import print_frame, stderr, stdout

SCHEMA = "tariffsim.sensitivity"
SCHEMA_VERSION = 1


def solve_all(plan, model_name: str, world, purge: bool, outputs, *, sets: list[str] | None, json_file: str | None,
              json_path: Path | None, csv_dir: Path | None, parquet_dir: Path | None, meta: dict, scheduler: str,
              workers: int) -> None:
    """Solve ``plan`` under the elasticity sets ``sets`` of ``world`` (None: every set, ``--elasticity all``;
    else a list, ``--elasticity U4,CP``); print the welfare range; write every solution."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tariffsim.assumptions import deficit_text
    from tariffsim.errors import OptionError
    from tariffsim.games.war_sensitivity import checked_sets
    from tariffsim.models import get_model
    from tariffsim.parallel import executor
    from tariffsim.results import write_tables
    from tariffsim.sensitivity import range_table, solve_under_sets

    model = get_model(model_name)
    if getattr(model, "needs_input_output", False) or len(world.elasticities) < 2:
        raise OptionError(f"--elasticity {'all' if sets is None else ','.join(sets)} needs a world with several elasticity sets (the world cubes icio2011-2022 "
                          f"and wiod2000-2014 have eight, ossa2014 five); {world.label or 'this world'} has "
                          f"{len(world.elasticities) or 'no'} named set(s) for the {model.name} model")
    sets = checked_sets(world, sets)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr, disable=not stderr.is_terminal) as bars, executor(scheduler, workers) as map_:
        task = bars.add_task(f"solving under {len(sets)} elasticity sets", total=len(sets))

        def tracked(func, items):
            return map_(func, items, on_result=lambda position, result: bars.advance(task))

        results = solve_under_sets(model, world, plan, purge=purge, sets=sets, meta=meta, map_=tracked)
    table = range_table(results)
    worst = max(r.max_residual for r in results)
    net_exports = "zero" if purge else plan.net_exports
    document = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "variable": "welfare", "unit": "pct",
                "sets": sets, "range": json.loads(table.reset_index().to_json(orient="records")),
                "solutions": {r.elasticity: r.document for r in results}}
    if json_file == "-":
        stdout.print_json(json.dumps(document, allow_nan=True))
    else:
        deficits = "balanced trade (imbalances purged under each set)" if purge else deficit_text(world, net_exports)
        shown = table.iloc[table["median"].abs().fillna(-1).to_numpy().argsort(kind="stable")[::-1]]
        print_frame(shown, f"{plan.title} — welfare % change under {len(sets)} elasticity sets, {model.name} model, "
                           f"{world.label}",
                    digits=3, caption=(f"Most affected first. Median, lowest and highest over the sets, then each set's value; all {len(sets)} "
                                       f"equilibria verified (max residual {worst:.1e}). Year {world.year or 'n/a'}; "
                                       f"sets: {', '.join(sets)}; {deficits}."))
    frames = {"range": table.reset_index(), "results": _long(results)}
    metadata = _metadata(results, list(frames))
    writers = {json_path: lambda path: path.write_text(json.dumps(document, indent=1, allow_nan=True)),
               csv_dir: lambda folder: write_tables(folder, frames, "csv", metadata),
               parquet_dir: lambda folder: write_tables(folder, frames, "parquet", metadata)}
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        (stderr if json_file == "-" else stdout).print(f"wrote {path}")


def _long(results):
    import pandas as pd

    return pd.concat([r.frame.assign(elasticity=r.elasticity) for r in results], ignore_index=True)


def _metadata(results, tables: list[str]) -> dict:
    """What the ``range`` and ``results`` tables carry (``results.write_tables``): the sets, and per set the
    facts of its solution (assumptions, solver, ...: its JSON document without the rows)."""
    from tariffsim.results import tables_metadata

    solutions = {r.elasticity: {key: value for key, value in r.document.items()
                                if key not in ("schema", "schema_version", "results")} for r in results}
    return tables_metadata({"sets": [r.elasticity for r in results], "solutions": solutions}, tables)
