"""The ``tariffsim`` command: one module per command; heavy imports happen inside command bodies.

Results go to stdout, diagnostics and progress to stderr. A TariffsimError prints as one red message
(the traceback only with ``--debug``) and exits with status 1.
"""

from __future__ import annotations

import typer

from tariffsim.cli import (compare, data, from_news, gravity, info, nash, optimal, purge, replicate, report, runs,
                          serve, solve, talks)
from tariffsim.cli._common import State

app = typer.Typer(
    name="tariffsim",
    help="Quantify trade policy with general-equilibrium trade models calibrated to real data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _options(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors."),
) -> None:
    ctx.obj = State(debug=debug)


app.command("solve", no_args_is_help=True)(solve.solve)
app.command("compare", no_args_is_help=True)(compare.compare)
app.command("info", no_args_is_help=True)(info.info)
app.command("purge", no_args_is_help=True)(purge.purge)
app.command("from-news", no_args_is_help=True)(from_news.from_news)
app.command("optimal", no_args_is_help=True)(optimal.optimal)
app.command("nash", no_args_is_help=True)(nash.nash)
app.command("talks", no_args_is_help=True)(talks.talks)
app.command("report", no_args_is_help=True)(report.report)
app.command("serve")(serve.serve)
app.add_typer(gravity.app, name="gravity")
app.add_typer(replicate.app, name="replicate")
app.add_typer(data.app, name="data")
app.add_typer(runs.app, name="runs")
