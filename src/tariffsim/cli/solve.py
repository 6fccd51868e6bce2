"""``tariffsim solve``: apply a scenario to a world, solve the new equilibrium, show and write results."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._calibrate import NO_IO_LINKS_HELP
from tariffsim.cli._common import DATA_HELP, friendly_errors, print_frame, status, stdout

HEADLINE = {"welfare": "welfare", "relative_wage": "rel. wage", "price_index": "prices",
            "exports": "exports", "imports": "imports", "tariff_revenue": "tariff rev."}
DECOMPOSITION = {"welfare": "welfare", "terms_of_trade": "terms of trade", "profit_shifting": "profit shifting",
                 "trade_volume": "trade volume"}
CP_WELFARE = {"terms_of_trade": "ToT", "volume_of_trade": "VoT", "paper_welfare": "sum (paper's measure)",
              "exact_welfare": "exact", "real_wage": "real wage"}


def solve(
    ctx: typer.Context,
    scenario: Path = typer.Option(..., "--scenario", "-s", exists=True, dir_okay=False,
                                  help="Scenario file (TOML), e.g. examples/us_autos_japan.toml."),
    data: str = typer.Option(None, "--data", "-d", help=DATA_HELP + " Default: the scenario's `world`."),
    model: str = typer.Option("krugman", "--model", "-m", help="krugman (Ossa 2014, with profits), armington, or caliendo_parro (input-output links; needs a cp2015-layout folder)."),
    purge: bool = typer.Option(False, "--purge", help="Purge trade imbalances first (then net exports are zero; "
                                                      "caliendo_parro: remove aggregate deficits)."),
    no_io_links: bool = typer.Option(False, "--no-io-links", help=NO_IO_LINKS_HELP),
    country: list[str] = typer.Option([], "--country", "-c", help="Also show sector results for this country (repeatable)."),
    json_file: str = typer.Option(None, "--json", help="Write results as JSON to this file ('-' for stdout)."),
    csv_dir: Path = typer.Option(None, "--csv", help="Write country / country_sector / bilateral CSV files here."),
    parquet_dir: Path = typer.Option(None, "--parquet", help="Write the same tables as Parquet files here."),
) -> None:
    """Solve a scenario: the new general equilibrium and what it does to every country.

    Example: [bold]tariffsim solve --data demo --scenario examples/us_autos_japan.toml[/]
    """
    with friendly_errors(ctx):
        import json

        from tariffsim.cli._calibrate import calibrated, model_label
        from tariffsim.results import country_table, sector_values, to_json_dict, write_results
        from tariffsim.scenario import load_scenario

        plan = load_scenario(scenario)
        solver, world, calibration = calibrated(model, data, plan.world, purge, io_links=not no_io_links)
        policy = plan.apply(world)
        with status(f"solving {plan.title!r} with the {solver.name} model"):
            equilibrium = solver.solve(calibration, policy)
        meta = {"title": plan.title, "description": plan.description, "source": plan.source,
                "file": str(scenario), "purged": purge}
        if no_io_links:
            meta["io_links"] = False
        if json_file == "-":
            stdout.print_json(json.dumps(to_json_dict(equilibrium, meta), allow_nan=True))
            return
        table = country_table(equilibrium)
        print_frame(table[list(HEADLINE)].rename(columns=HEADLINE),
                    f"{plan.title} — {model_label(solver)} model, {world.label or data}",
                    caption=("% change from the baseline; welfare = real income; exports and imports at world prices. "
                             f"Equilibrium verified: max residual {equilibrium.max_residual:.1e}."))
        _print_welfare_parts(equilibrium, table)
        for name in country:
            _print_sectors(equilibrium, world.country_index(name), sector_values)
        written = write_results(equilibrium, json_path=Path(json_file) if json_file else None,
                                csv_dir=csv_dir, parquet_dir=parquet_dir, scenario=meta)
        for path in written:
            stdout.print(f"wrote {path}")


def _print_welfare_parts(equilibrium, table) -> None:
    from tariffsim.models._cp_results import CPEquilibrium

    if not isinstance(equilibrium, CPEquilibrium):
        print_frame(table[[c for c in DECOMPOSITION if c in table.columns]].rename(columns=DECOMPOSITION),
                    "Welfare change and its first-order parts (% of expenditure; parts need not add up for large shocks)")
        return
    print_frame(equilibrium.welfare_frame().rename(columns=CP_WELFARE),
                "Welfare (% change): Caliendo-Parro terms-of-trade (ToT) and volume-of-trade (VoT) parts",
                caption=("ToT + VoT is the paper's welfare measure (its differential formula, eq. 23, with discrete "
                         "changes); exact = real income change. They agree for small shocks, not for large ones. "
                         "real wage = wage / consumer price index."))


def _print_sectors(equilibrium, i: int, sector_values) -> None:
    import pandas as pd

    world = equilibrium.world
    values = sector_values(equilibrium)
    frame = pd.DataFrame({"output %": values["output"][i], "exports %": values["exports"][i],
                          "imports %": values["imports"][i]}, index=pd.Index(world.sectors, name="sector"))
    print_frame(frame, f"{world.countries[i]} by sector")


