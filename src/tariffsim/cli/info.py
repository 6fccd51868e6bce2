"""``tariffsim info``: what a world holds: sizes, totals, trade balances, tariff averages, groups."""

from __future__ import annotations

import typer

from tariffsim.cli._common import DATA_HELP, Elasticity, Year, friendly_errors, load_world, print_frame, stdout


def info(
    ctx: typer.Context,
    data: str = typer.Option(..., "--data", "-d", help=DATA_HELP),
    year: Year = None,
    elasticity: Elasticity = None,
) -> None:
    """Summarise a world: countries, sectors, spending, trade balances and average tariffs.

    Example: [bold]tariffsim info --data ossa2014[/]
    """
    with friendly_errors(ctx):
        print_summary(load_world(data, year=year, elasticity=elasticity), data)


def print_summary(world, data: str) -> None:
    """What ``info`` prints for ``world`` (read from ``data``)."""
    from tariffsim.assumptions import elasticity_text
    from tariffsim.world_summary import country_summary

    stdout.print(f"[bold]{world.label or data}[/]: {world.n_countries} countries x {world.n_sectors} sectors")
    print_frame(country_summary(world), "Countries", digits=1,
                caption="spending, exports, imports in data units; NX %, imports %, tariffs %: share of spending; avg tariff: import-weighted, %")
    stdout.print("Sectors: " + ", ".join(f"{c} (sigma {s:.2f})" for c, s in zip(world.sectors, world.sigma)))
    if world.elasticity:
        stdout.print(f"Elasticity set in use: {elasticity_text(world)}"
                     + (f" (sets: {', '.join(world.elasticities)})" if world.elasticities else ""), highlight=False)
    for group, members in world.sector_groups.items():
        stdout.print(f"Group [bold]{group}[/]: {', '.join(members)}")
    for group, members in world.country_groups.items():
        stdout.print(f"Country group [bold]{group}[/]: {', '.join(members)}")
