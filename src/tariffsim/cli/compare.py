"""``tariffsim compare``: several scenarios (and/or models) side by side: welfare and exports by country."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._calibrate import NO_IO_LINKS_HELP
from tariffsim.cli._common import DATA_HELP, Elasticity, Year, friendly_errors, print_frame, show_warning, status, stdout


def compare(
    ctx: typer.Context,
    scenario: list[Path] = typer.Option(..., "--scenario", "-s", exists=True, dir_okay=False,
                                        help="Scenario file (TOML); repeat for each scenario to compare. "
                                             "Columns are named by the file name (without .toml)."),
    data: str = typer.Option(None, "--data", "-d", help=DATA_HELP + " Default: the first scenario's `world`."),
    model: list[str] = typer.Option(["krugman"], "--model", "-m",
                                    help="krugman, armington or caliendo_parro; repeat to compare models."),
    purge: bool = typer.Option(False, "--purge", help="Purge trade imbalances first (caliendo_parro: remove "
                                                      "aggregate deficits)."),
    no_io_links: bool = typer.Option(False, "--no-io-links", help=NO_IO_LINKS_HELP),
    country: list[str] = typer.Option([], "--country", "-c", help="Show only these countries (repeatable)."),
    year: Year = None,
    elasticity: Elasticity = None,
) -> None:
    """Compare scenarios side by side: a welfare table and an exports table (% change), one column per
    scenario; the countries whose tariffs change in some scenario come first, then the others.

    Example: [bold]tariffsim compare -m caliendo_parro -d cp2015 -s examples/cp2015/japan_us.toml
    -s examples/cp2015/tpp_with_us.toml -s examples/cp2015/tpp_without_us.toml[/]
    """
    with friendly_errors(ctx):
        import numpy as np
        import pandas as pd

        from tariffsim.assumptions import assumptions_line
        from tariffsim.cli._calibrate import calibrated, model_label
        from tariffsim.errors import OptionError
        from tariffsim.results import country_table
        from tariffsim.scenario import load_scenario, scenario_warnings

        if len({path.stem for path in scenario}) < len(scenario):
            raise OptionError("two scenario files have the same name; columns are named by the file name "
                              f"({', '.join(path.name for path in scenario)}): rename one")
        plans = {path.stem: load_scenario(path) for path in scenario}
        welfare, exports, labels = {}, {}, []
        for name in model:
            solver, world, calibration = calibrated(name, data, plans[scenario[0].stem].world, purge,
                                                    io_links=not no_io_links, year=year, elasticity=elasticity)
            labels.append(model_label(solver))
            involved = np.zeros(world.n_countries, dtype=bool)
            for short, plan in plans.items():
                with scenario_warnings(show_warning):
                    policy = plan.apply(world)
                with status(f"solving {plan.title!r} with the {solver.name} model"):
                    table = country_table(solver.solve(calibration, policy))
                column = short if len(model) == 1 else f"{short} ({solver.name})"
                welfare[column], exports[column] = table["welfare"], table["exports"]
                changed = policy.tariffs != world.tariffs
                involved |= changed.any(axis=(1, 2)) | changed.any(axis=(0, 2))
        order = [world.countries[k] for k in np.argsort(~involved, kind="stable")]
        if country:
            shown = {world.countries[world.country_index(c)] for c in country}
            order = [c for c in order if c in shown]
        for short, plan in plans.items():
            stdout.print(f"[bold]{short}[/]: {plan.title}", highlight=False)
        where = f"{' vs '.join(labels)} model, {world.label or data}"
        rows = (f"Rows: the countries whose tariffs change in a scenario ({', '.join(np.array(world.countries)[involved])})"
                " first, then the others.")
        rules = sorted({plan.net_exports for plan in plans.values()})
        print_frame(pd.DataFrame(welfare).loc[order], f"Welfare, % change (real income) — {where}", digits=3,
                    caption="; ".join(assumptions_line(world, rule) for rule in rules))
        print_frame(pd.DataFrame(exports).loc[order], "Exports, % change (at world prices)", digits=3, caption=rows)
