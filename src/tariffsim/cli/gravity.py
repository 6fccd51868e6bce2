"""``tariffsim gravity``: estimate a gravity equation (PPML, pyfixest) and run GE experiments with intervals."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tariffsim.cli._common import friendly_errors, print_frame, status, stderr, stdout

if TYPE_CHECKING:
    from tariffsim.gravity.estimate import GravityResult
    from tariffsim.gravity.pipeline import ExperimentRun
    from tariffsim.gravity.uncertainty import GEIntervals

app = typer.Typer(
    help="Structural gravity: PPML estimation with high-dimensional fixed effects and one-sector GE experiments "
         "(the gravity_ge model).",
    no_args_is_help=True,
)

DATA_HELP = "Gravity panel: one row per exporter, importer (and year); a .dta, .csv or .parquet file."
INTERVAL_VARIABLES = ("real_gdp", "welfare", "exports")


@app.command("estimate", no_args_is_help=True)
def estimate(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", "-d", help=DATA_HELP),
    formula: str = typer.Option(..., "--formula", "-f",
                                help="pyfixest/fixest formula, e.g. \"trade ~ RTA | exp_year + imp_year + pair\"."),
    cluster: str = typer.Option("pair", "--cluster", help="Cluster column for standard errors, or hetero / iid."),
    year: list[int] = typer.Option([], "--year", "-y", help="Keep only this year (repeatable); default: all."),
    method: str = typer.Option("ppml", "--method", help="ppml (pyfixest.fepois) or ols (pyfixest.feols, log outcome)."),
    json_file: str = typer.Option(None, "--json", help="Write the estimates as JSON to this file ('-' for stdout)."),
    csv_file: Path = typer.Option(None, "--csv", help="Write the tidy coefficient table (CSV) to this file."),
    latex_file: Path = typer.Option(None, "--latex", help="Write the coefficient table as a LaTeX tabular here."),
) -> None:
    """Estimate a gravity equation by PPML with high-dimensional fixed effects (pyfixest).

    Derived columns are added when the formula uses them: exp_year, imp_year, pair, INTL_BRDR,
    INTL_BRDR_<year>, ln_DIST. Dropped observations are reported with their reason.

    Example: [bold]tariffsim gravity estimate --data Chapter2Application2.dta --formula "trade ~ RTA | exp_year + imp_year + pair" --year 1986 --year 2006[/]
    """
    with friendly_errors(ctx):
        from tariffsim.gravity.data_file import read_gravity_data
        from tariffsim.gravity.estimate import estimate as fit_gravity
        from tariffsim.outputs import Outputs

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        csv_path, latex_path = outputs.file(csv_file, "--csv"), outputs.file(latex_file, "--latex")
        table = read_gravity_data(data)
        if year:
            table = _years(table, year, data)
        with status(f"estimating {formula}"):
            fit = fit_gravity(table, formula, method=method, vcov=cluster)  # type: ignore[arg-type]
        document = {"schema": "tariffsim.gravity_estimate", "data": str(data), "years": year or None,
                    **_estimate_json(fit)}
        if json_file == "-":
            stdout.print_json(json.dumps(document, allow_nan=True))
        else:
            _print_estimate(fit)
        writers = {json_path: _text(json.dumps(document, indent=2, allow_nan=True)),
                   csv_path: lambda path: fit.to_frame().to_csv(path, index=False),
                   latex_path: _text(fit.to_latex())}
        _write(outputs, writers, json_file)


@app.command("ge", no_args_is_help=True)
def ge(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", "-d", help=DATA_HELP),
    experiment: Path = typer.Option(..., "--experiment", "-e", help="Experiment file (TOML), e.g. "
                                    "examples/gravity/nafta.toml."),
    year: int = typer.Option(None, "--year", "-y", help="Baseline year of the GE (default: year in \\[ge])."),
    json_file: str = typer.Option(None, "--json", help="Write results as JSON to this file ('-' for stdout)."),
    csv_dir: Path = typer.Option(None, "--csv", help="Write country / bilateral (the long results table) / "
                                 "coefficients (/ intervals, failures) CSV files to this folder."),
    draws: int = typer.Option(None, "--draws", "-n", help="Draws for confidence intervals (default: \\[uncertainty] "
                              "draws; 0 = none)."),
    method: str = typer.Option(None, "--method", help="monte-carlo or bootstrap (default: \\[uncertainty] method)."),
    seed: int = typer.Option(None, "--seed", help="Random seed of the draws (default: \\[uncertainty] seed)."),
    scheduler: str = typer.Option("local", "--scheduler", help="Where draws run: local (a dask LocalCluster), "
                                  "serial, or a dask scheduler address such as tcp://10.0.0.5:8786."),
    workers: int = typer.Option(None, "--workers", help="LocalCluster workers (default: dask's choice)."),
) -> None:
    """Run a GE experiment: estimate, change trade costs, solve the verified GE, optionally with intervals.

    Example: [bold]tariffsim gravity ge --data Chapter2Application2.dta --year 2006 --experiment examples/gravity/nafta.toml --draws 200[/]
    """
    with friendly_errors(ctx):
        from dataclasses import replace

        from tariffsim.errors import OptionError
        from tariffsim.gravity.data_file import read_gravity_data
        from tariffsim.gravity.experiment_file import load_experiment
        from tariffsim.gravity.pipeline import run_experiment
        from tariffsim.outputs import Outputs

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        csv_dir = outputs.folder(csv_dir, "--csv")
        spec = load_experiment(experiment)
        plan = replace(spec.uncertainty, **{k: v for k, v in (("draws", draws), ("method", method), ("seed", seed))
                                            if v is not None})
        if plan.method not in ("monte-carlo", "bootstrap") or plan.draws < 0:
            raise OptionError(f"--method {plan.method!r} / --draws {plan.draws}: use --method monte-carlo or "
                              "bootstrap and --draws 0 or more")
        table = read_gravity_data(data)
        with status(f"estimating and solving {spec.title!r}"):
            run = run_experiment(spec, table, year)
        intervals = _intervals(run, plan, scheduler, workers) if plan.draws else None
        document = _ge_json(run, intervals, experiment, data)
        if json_file == "-":
            stdout.print_json(json.dumps(document, allow_nan=True))
        else:
            _print_ge(run, intervals)
        writers = {json_path: _text(json.dumps(document, indent=2, allow_nan=True)),
                   csv_dir: lambda folder: _write_csv(run, intervals, folder)}
        _write(outputs, writers, json_file)


# --------------------------------------------------------------------------------------- helpers
def _years(table: Any, years: list[int], path: Path) -> Any:
    from tariffsim.errors import DataValidationError

    if "year" not in table.columns:
        raise DataValidationError(f"{path}: --year needs a 'year' column (columns: {list(table.columns)})")
    kept = table[table["year"].isin(years)]
    if kept.empty:
        raise DataValidationError(f"{path}: no rows for years {years}")
    return kept


def _intervals(run: ExperimentRun, plan: Any, scheduler: str, workers: int | None) -> GEIntervals:
    import importlib
    import logging

    from tariffsim.gravity.uncertainty import GEOptions, bootstrap_pairs, monte_carlo

    # pyfixest calls logging.basicConfig(level=INFO) on import, which would print dask's INFO lines; importing
    # distributed sets its loggers' levels, so ours is set after that import
    importlib.import_module("distributed")
    logging.getLogger("distributed").setLevel(logging.WARNING)

    options = GEOptions(reference=run.result.reference, kind=run.result.kind, imbalance=run.result.imbalance)
    run_args = dict(draws=plan.draws, seed=plan.seed, confidence=plan.confidence, scheduler=scheduler,
                    workers=workers)
    label = f"{plan.method} draws"
    with _progress(label, plan.draws) as advance:
        if plan.method == "bootstrap":
            result = bootstrap_pairs(run.sample, run.fit.formula, run.costs, options,
                                     cluster=run.spec.estimation.cluster, progress=advance, **run_args)
        else:
            result = monte_carlo(run.costs, run.fit.vcov, options, progress=advance, **run_args)
    if result.n_failed:
        reasons = "; ".join(f"{n} x {reason}" for reason, n in result.failure_counts().items())
        stderr.print(f"[bold yellow]warning:[/] {result.n_failed} of {result.n_draws} draws failed and are left out "
                     f"of the intervals: {reasons}", highlight=False, markup=True)
    return result


@contextlib.contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr (only when stderr is a terminal); yields its advance callback."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=stderr, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _estimate_json(fit: GravityResult) -> dict[str, Any]:
    return {"formula": fit.formula, "method": fit.method, "vcov": fit.vcov_type, "nobs": fit.nobs,
            "coefficients": fit.to_frame().to_dict(orient="records"),
            "dropped": {str(reason): int(n) for reason, n in fit.dropped_counts().items()}}


def _print_estimate(fit: GravityResult) -> None:
    counts = fit.dropped_counts()
    dropped = "; ".join(f"{n} {reason}" for reason, n in counts.items()) or "none"
    print_frame(fit.coefficients, f"{fit.method.upper()}: {fit.formula}", digits=4,
                caption=f"N = {fit.nobs}; standard errors: {fit.vcov_type}; dropped rows: {dropped}")


def _ge_json(run: ExperimentRun, intervals: GEIntervals | None, experiment: Path, data: Path) -> dict[str, Any]:
    """The one equilibrium schema (``tariffsim.results.to_json_dict``) with the experiment as its scenario,
    plus the estimation and the intervals."""
    result = run.result
    scenario = {"name": run.spec.title, "description": run.spec.description, "experiment": str(experiment),
                "data": str(data), "year": run.year,
                "ge": {"kind": result.kind, "imbalance": result.imbalance, "reference": result.reference,
                       "sigma": result.sigma}}
    document = result.to_json_dict(scenario)
    document["solver"]["baseline_max_residual"] = result.baseline_residual
    document["estimation"] = _estimate_json(run.fit)
    document["intervals"] = intervals.to_json_dict() if intervals is not None else None
    return document


def _print_ge(run: ExperimentRun, intervals: GEIntervals | None) -> None:
    from tariffsim.results import HEADLINE, group_table

    result = run.result
    coefficients = ", ".join(f"{t} = {b:.4f}" for t, b in zip(run.costs.terms, run.costs.beta, strict=True))
    print_frame(group_table(result.equilibrium, HEADLINE),
                f"{run.spec.title} — {result.kind} GE, {run.year}, % change",
                digits=3, caption=(f"{run.fit.formula}: {coefficients} (N = {run.fit.nobs}). Prices relative to "
                                   f"{result.reference}'s consumer prices. Equilibrium verified: max residual "
                                   f"{result.max_residual:.1e}."))
    if intervals is None:
        return
    import pandas as pd

    labels = {v.name: v.label or v.name for v in result.model.variables if v.level == "country"}
    low, high = intervals.bounds()
    frame = intervals.to_frame()
    cells = {}
    for variable in INTERVAL_VARIABLES:
        part = frame[frame["variable"] == variable].set_index("country")
        cells[f"{labels[variable]} low"] = part[f"p{low:g}"]
        cells[f"{labels[variable]} high"] = part[f"p{high:g}"]
    print_frame(pd.DataFrame(cells).rename_axis("country"),
                f"{intervals.confidence:g}% intervals ({intervals.method}, "
                f"{intervals.n_draws - intervals.n_failed} of {intervals.n_draws} draws, seed {intervals.seed})",
                digits=3, caption=_failure_caption(intervals))


def _failure_caption(intervals: GEIntervals) -> str:
    if not intervals.n_failed:
        residual = "" if math.isnan(intervals.max_residual) else f" (max residual {intervals.max_residual:.1e})"
        return f"Every draw solved and verified{residual}."
    return f"{intervals.n_failed} draws failed (see the failures table); intervals use the others."


def _write_csv(run: ExperimentRun, intervals: GEIntervals | None, folder: Path) -> None:
    """The long table by level (country.csv, bilateral.csv, as for every model), the coefficients and,
    with draws, the intervals and the failed draws, as CSV files in ``folder``."""
    from tariffsim.results import result_writers

    for write in result_writers(run.result.equilibrium, csv_dir=folder).values():
        write(folder)
    tables = {"coefficients": run.fit.to_frame()}
    if intervals is not None:
        tables["intervals"] = intervals.to_frame()
        tables["failures"] = intervals.failure_table()
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)


def _text(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text + "\n")


def _write(outputs: Any, writers: dict, json_file: str | None) -> None:
    """Write the declared outputs together (``writers`` may hold entries for outputs not asked for,
    under the key None) and say what was written."""
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        _wrote(path, json_file)


def _wrote(path: Path, json_file: str | None) -> None:
    """Say what was written: on stdout, unless stdout carries JSON (then on stderr)."""
    (stderr if json_file == "-" else stdout).print(f"wrote {path}")
