"""``tariffsim compare``: several scenarios (and/or models) side by side: welfare and exports by country."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._common import DATA_HELP, friendly_errors, print_frame, status


def compare(
    ctx: typer.Context,
    scenario: list[Path] = typer.Option(..., "--scenario", "-s", exists=True, dir_okay=False,
                                        help="Scenario file (TOML); repeat for each scenario to compare."),
    data: str = typer.Option(None, "--data", "-d", help=DATA_HELP + " Default: the first scenario's `world`."),
    model: list[str] = typer.Option(["krugman"], "--model", "-m",
                                    help="krugman, armington or caliendo_parro; repeat to compare models."),
    purge: bool = typer.Option(False, "--purge", help="Purge trade imbalances first (caliendo_parro: remove "
                                                      "aggregate deficits)."),
    country: list[str] = typer.Option([], "--country", "-c", help="Show only these countries (repeatable)."),
) -> None:
    """Compare scenarios side by side: welfare and exports (% change) of every country.

    Example: [bold]tariffsim compare -m caliendo_parro -d cp2015 -s examples/cp2015/japan_us.toml
    -s examples/cp2015/tpp_with_us.toml -s examples/cp2015/tpp_without_us.toml[/]
    """
    with friendly_errors(ctx):
        import pandas as pd

        from tariffsim.cli._calibrate import calibrated
        from tariffsim.results import country_table
        from tariffsim.scenario import load_scenario

        plans = [load_scenario(path) for path in scenario]
        columns = {}
        for name in model:
            solver, world, calibration = calibrated(name, data, plans[0].world, purge)
            for plan in plans:
                with status(f"solving {plan.title!r} with the {solver.name} model"):
                    table = country_table(solver.solve(calibration, plan.apply(world)))
                label = plan.title if len(model) == 1 else f"{plan.title} ({solver.name})"
                columns[f"welfare: {label}"] = table["welfare"]
                columns[f"exports: {label}"] = table["exports"]
        frame = pd.DataFrame(columns)
        if country:
            frame = frame.loc[[world.countries[world.country_index(c)] for c in country]]
        print_frame(frame, f"Scenarios compared on {world.label or data}", digits=3,
                    caption="% change from the baseline; welfare = real income; exports at world prices.")
