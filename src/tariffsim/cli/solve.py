"""``tariffsim solve``: apply a scenario to a world, solve the new equilibrium, show and write results."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli import runs
from tariffsim.cli._calibrate import NO_IO_LINKS_HELP
from tariffsim.cli._common import (DATA_HELP, UNDEFINED_CELL, Elasticity, Year, friendly_errors, load_world,
                                   print_frame, show_warning, status, stderr, stdout)

SHOWN_COUNTRIES = 20
"""Rows of the headline table in a bigger world (--all-countries shows every country)."""
UNDEFINED = (f"{UNDEFINED_CELL} = undefined: the baseline is zero (no baseline trade, or no baseline tariff "
             "revenue), so a percent change does not exist.")



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
    csv_dir: Path = typer.Option(None, "--csv", help="Write country / country_sector / bilateral CSV files into this new (or empty) folder."),
    year: Year = None,
    elasticity: Elasticity = None,
    parquet_dir: Path = typer.Option(None, "--parquet", help="Write the same tables as Parquet files into this new (or empty) folder."),
    scheduler: str = typer.Option("serial", "--scheduler", help="With --elasticity all (or a list of sets): where the "
                                  "solves run: serial, local (a dask LocalCluster) or a dask scheduler address."),
    workers: int = typer.Option(2, "--workers", min=1, help="LocalCluster worker processes (--scheduler local)."),
    all_countries: bool = typer.Option(False, "--all-countries", help=f"Show every country (default: with more "
                                       f"than {SHOWN_COUNTRIES}, the ones the scenario touches and the most affected)."),
    map_file: Path = typer.Option(None, "--map", dir_okay=False, help="Draw a world map of a country result to this "
                                  ".png or .svg file (worlds with ISO3 countries; ROW and regions such as EU as one)."),
    map_variable: str = typer.Option("welfare", "--map-variable", help="The country result on the --map: welfare, "
                                     "real_wage, exports, imports, tariff (import-weighted mean, change in points), "
                                     "tariff_revenue, ..."),
    save: runs.Save = False,
    runs_db: runs.RunsDb = None,
) -> None:
    """Solve a scenario: the new general equilibrium and what it does to every country.

    With [bold]--elasticity all[/] (or a list, [bold]--elasticity U4,CP[/]): the scenario under every elasticity
    set of the world (or each one listed), and per country the median and range of the welfare change (every
    solution is written).

    Example: [bold]tariffsim solve --data demo --scenario examples/us_autos_japan.toml[/]
    """
    with friendly_errors(ctx):
        import json

        from tariffsim.assumptions import title_text
        from tariffsim.cli._calibrate import calibrated, model_label
        from tariffsim.maps import check_target as check_map
        from tariffsim.outputs import Outputs
        from tariffsim.results import result_writers, to_json_dict
        from tariffsim.scenario import load_scenario, scenario_warnings

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        csv_dir, parquet_dir = outputs.folder(csv_dir, "--csv"), outputs.folder(parquet_dir, "--parquet")
        map_path = outputs.file(None if map_file is None else check_map(map_file), "--map", example="map.png")
        store = runs.open_store(save, runs_db)
        sweep = _check_sweep_options(ctx, elasticity, map_path, store)
        plan = load_scenario(scenario)
        meta = {"title": plan.title, "description": plan.description, "source": plan.source,
                "file": str(scenario), "purged": purge}
        if sweep:
            from tariffsim.cli._sensitivity import solve_all
            from tariffsim.cli._war_sweep import set_names

            solve_all(plan, model, load_world(data, plan.world, year=year), purge, outputs, sets=set_names(elasticity),
                      json_file=json_file, json_path=json_path, csv_dir=csv_dir, parquet_dir=parquet_dir, meta=meta,
                      scheduler=scheduler, workers=workers)
            return
        if map_path is not None:  # the world is read again below (0.1 s): a map it cannot draw fails now
            _check_mappable(map_path, load_world(data, plan.world, year=year))
        solver, world, calibration = calibrated(model, data, plan.world, purge, io_links=not no_io_links,
                                                year=year, elasticity=elasticity)
        with scenario_warnings(show_warning):
            policy = plan.apply(world)
        with status(f"solving {plan.title!r} with the {solver.name} model"):
            equilibrium = solver.solve(calibration, policy)
        if no_io_links:
            meta["io_links"] = False
        if json_file == "-":
            stdout.print_json(json.dumps(to_json_dict(equilibrium, meta), allow_nan=True))
        else:
            source = f"{model_label(solver)} model, {world.label or data}{title_text(world)}"
            _print_tables(equilibrium, plan.title, source, country, all_countries)
        writers = result_writers(equilibrium, json_path=json_path, csv_dir=csv_dir, parquet_dir=parquet_dir,
                                 scenario=meta)
        if map_path is not None:
            from tariffsim.maps import equilibrium_map
            from tariffsim.maps import save as save_map

            figure = equilibrium_map(equilibrium, map_variable)
            writers[map_path] = lambda path: save_map(figure, path)
        for path in outputs.write(writers):
            (stderr if json_file == "-" else stdout).print(f"wrote {path}")
        runs.save(store, "solve", to_json_dict(equilibrium, meta), plan.title, scenario)


def _check_sweep_options(ctx: typer.Context, elasticity: str | None, map_path: Path | None, store) -> bool:
    """Whether ``--elasticity`` asks for several sets (``all`` or a list, as nash takes it); OptionError for
    options that then cannot apply (--map, --save: one solution each) or apply only then (--scheduler,
    --workers: given for a single solve, they would silently do nothing)."""
    from tariffsim.cli._war_sweep import is_sweep
    from tariffsim.errors import OptionError

    sweep = is_sweep(elasticity)
    if sweep and (map_path is not None or store is not None):
        raise OptionError(f"--map and --save take one solution: with --elasticity {elasticity}, solve once per set "
                          "(--elasticity U4, --elasticity CP, ...)")
    given = [f"--{name}" for name in ("scheduler", "workers")  # by name: typer ships its own click's enum
             if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") not in ("DEFAULT", "DEFAULT_MAP")]
    if given and not sweep:
        named = " and ".join(given)
        raise OptionError(f"{named} {'apply' if len(given) > 1 else 'applies'} only to several solves (--elasticity "
                          f"all, or a list of sets such as --elasticity U4,CP); a single solve runs here: drop {named}")
    return sweep


def _check_mappable(map_path: Path, world) -> None:
    """OptionError unless every country of ``world`` can be placed on a map (ISO3 codes, ROW or a known group)."""
    from tariffsim.errors import OptionError
    from tariffsim.maps import unknown_codes

    unknown = unknown_codes(world.countries, world.year)
    if unknown:
        raise OptionError(f"--map {map_path}: {world.label or 'this world'} has countries a map cannot place (not ISO3 "
                          f"codes): {', '.join(unknown[:6])}{f' and {len(unknown) - 6} more' if len(unknown) > 6 else ''}"
                          "; drop --map, or solve on a world coded that way (e.g. --data icio2022)")


def _print_tables(equilibrium, title: str, source: str, countries: list[str], all_countries: bool) -> None:
    """The headline table, the welfare parts and the sector tables of ``countries``; in a world of more
    than SHOWN_COUNTRIES countries (unless ``all_countries``) only the rows of ``shown_countries``."""
    from tariffsim.assumptions import assumptions_line
    from tariffsim.results import group_table, welfare_parts_table

    headline = group_table(equilibrium, "headline")
    rows = headline.index if all_countries else shown_countries(equilibrium, headline.iloc[:, 0])
    hidden = len(headline) - len(rows)
    more = (f"\n{hidden} other countries not shown (|welfare change| at most {headline.iloc[:, 0].drop(rows).abs().max():.3f}%): "
            "--all-countries shows them, --csv writes every number." if hidden else "")
    print_frame(headline.loc[rows], f"{title} — {source}", digits=3,
                caption=(f"% change from the baseline; {equilibrium.calibration.model.headline_caption}. "
                         f"Equilibrium verified: max residual {equilibrium.max_residual:.1e}.\n"
                         + assumptions_line(equilibrium.world, equilibrium.policy.net_exports) + more),
                undefined=UNDEFINED)
    parts = welfare_parts_table(equilibrium)
    _print_welfare_parts(equilibrium, parts.loc[rows] if parts.shape[1] else parts)
    for name in countries:
        _print_sectors(equilibrium, equilibrium.world.country_index(name))


def shown_countries(equilibrium, welfare) -> list[str]:
    """At most SHOWN_COUNTRIES countries: those whose tariffs (or trade costs) the policy changes, then the
    largest welfare changes; in the world's order."""
    import numpy as np

    world, policy = equilibrium.world, equilibrium.policy
    changed = policy.tariffs != world.tariffs
    touched = changed.any(axis=(1, 2)) | changed.any(axis=(0, 2))
    size = np.nan_to_num(np.abs(welfare.to_numpy(dtype=float)), nan=-1.0)
    order = np.lexsort((-size, ~touched))  # touched first, then by |welfare| descending
    keep = set(order[:SHOWN_COUNTRIES].tolist())
    return [c for k, c in enumerate(world.countries) if k in keep]


def _print_welfare_parts(equilibrium, table) -> None:
    """The model's welfare-parts table (welfare beside its decomposition), if it declares one."""
    if table.shape[1]:
        model = equilibrium.model
        print_frame(table, model.welfare_parts_title, caption=model.welfare_parts_caption or None)


def _print_sectors(equilibrium, i: int) -> None:
    import pandas as pd

    from tariffsim.results import declared

    world = equilibrium.world
    chosen = [v for v in declared(equilibrium, "country_sector") if v.unit == "pct"]
    frame = pd.DataFrame({v.label or v.name: v.compute(equilibrium)[i] for v in chosen},
                         index=pd.Index(world.sectors, name="sector"))
    print_frame(frame, f"{world.countries[i]} by sector", undefined=UNDEFINED)
