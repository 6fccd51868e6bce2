"""``tariffsim optimal``: each chosen country's optimal tariffs given everyone else's."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cache import DEFAULT_FOLDER
from tariffsim.cli import _games as g
from tariffsim.cli import _world_options as w
from tariffsim.cli import runs
from tariffsim.cli._common import Elasticity, Year, friendly_errors, print_frame
from tariffsim.errors import OptionError


def optimal(
    ctx: typer.Context,
    data: g.Data,
    model: g.ModelName = "krugman",
    country: str = typer.Option(..., "--country", help="The country choosing its tariffs; several as JPN,USA, "
                                "or all (each against everyone else's current tariffs, in parallel)."),
    mfn: g.Mfn = False,
    weights: g.Weights = "ones",
    partners: str = typer.Option(None, "--partners", help="Only tariffs on these partners (comma-separated; "
                                 "not with --mfn)."),
    sectors: str = typer.Option(None, "--sectors", help="Only tariffs in these sectors or sector groups "
                                "(comma-separated, e.g. agriculture)."),
    starts: int = typer.Option(1, "--starts", min=1, help="Searches from this many starts (the first as the "
                               "paper's, the others random): a spread of optima shows local ones."),
    purge: g.Purge = False,
    net_exports: g.NetExports = "fixed",
    year: Year = None,
    elasticity: Elasticity = None,
    json_file: g.JsonFile = None,
    method: str = typer.Option("search", "--method", help="search (the game engine: starts, partners, sectors, "
                               "several countries) or stacked (Newton on the first-order conditions with the "
                               "equilibrium: one country against a world of 44-194)."),
    mode: w.Mode = "uniform",
    convention: w.Convention = None,
    retaliation: bool = typer.Option(False, "--retaliation", help="Then every other country (or --responders) "
                                     "answers with its own optimum: a Nash war among them (implies --method stacked)."),
    responders: str = typer.Option(None, "--responders", help="With --retaliation: who answers (default: everyone "
                                   "else), e.g. CHN,EU27."),
    scenario: Path = typer.Option(None, "--scenario", "-s", exists=True, dir_okay=False, help="With --retaliation: "
                                  "the first mover's tariffs are this scenario's (e.g. the 2025 US tariffs), not its "
                                  "optimum."),
    csv_dir: w.CsvFolder = None,
    check: w.Check = 8,
    scheduler: g.Scheduler = "local",
    workers: g.Workers = 2,
    cache_dir: g.CacheDir = Path(DEFAULT_FOLDER),
    no_cache: g.NoCache = False,
    save: runs.Save = False,
    runs_db: runs.RunsDb = None,
) -> None:
    """Optimal (unilateral) tariffs: what a government maximising its welfare would set, others unchanged.

    With one country: its optimum and the effects on every country. With several: each one's optimum against everyone else's current tariffs (one row each).

    With [bold]--method stacked[/]: one country's optimum against a whole world (44-194 countries), and with
    [bold]--retaliation[/] every other country's optimal answer to it.

    Example: [bold]tariffsim optimal --data ossa2014 --purge --country JPN --partners USA --sectors agriculture[/]
    World scale: [bold]tariffsim optimal --data icio2022 --convention tariffwar --country USA --retaliation[/]
    """
    with friendly_errors(ctx):
        store = runs.open_store(save, runs_db)
        if method == "stacked" or convention is not None or retaliation or responders or scenario:
            from tariffsim.cli import _world_nash

            runs.refuse_sweep(store, elasticity)
            document = _world_nash.run_optimal(data=data, model=model, country=country, mode="mfn" if mfn else mode,
                                    convention=convention, purge=purge, net_exports=net_exports, year=year,
                                    elasticity=elasticity, json_file=json_file, csv_dir=csv_dir,
                                    retaliation=retaliation, responders=responders, scenario=scenario, check=check,
                                    scheduler=scheduler, workers=workers)
            runs.save(store, "optimal", document, f"{country}'s optimal {'mfn' if mfn else mode} tariffs"
                      f"{' and the retaliation' if retaliation else ''} on {data}", scenario)
            return
        if method != "search":
            raise OptionError(f"--method {method!r}: use search or stacked")
        import functools

        import pandas as pd

        from tariffsim.games import OptimalTariffs, optimal_tariffs
        from tariffsim.games.tables import optima_frame

        g.json_output(json_file)  # a bad --json target fails now, not after the game
        game = g.load_game(data, purge, weights, net_exports, cache_dir, no_cache, model, year=year,
                           elasticity=elasticity)
        world = game.world
        choosers = g.country_list(world, country) or list(world.countries)
        options = dict(mfn=mfn, partners=_split(partners), sectors=_split(sectors), starts=starts,
                       net_exports=game.net_exports)
        keys = {c: game.key("optimal tariffs", c, options) for c in choosers}
        compute = functools.partial(optimal_tariffs, game.calibration, weights=game.weights, **options)
        results = g.cached_results(game, keys, OptimalTariffs, "optimal tariffs", compute, scheduler=scheduler,
                                   workers=workers)
        g.warn_at_upper_bound(results.values(), g.fixed_imbalances(world, game.net_exports))
        frame = optima_frame(list(results.values()))
        solver = {c: r.facts() for c, r in results.items()}
        options = {"choosers": choosers, **{k: v for k, v in options.items() if k != "net_exports"}}
        tariffs = pd.concat([r.tariff_frame() for r in results.values()], ignore_index=True)
        title = f"Optimal {'MFN ' if mfn else ''}tariffs — {game.calibration.model.name} model, {world.label or data}"
        caption = ("gov. welfare % = own government welfare; medians over the chosen tariffs; start spread = best "
                   "minus worst log G over the starts.")
        if len(choosers) > 1:
            document = g.document("optimal", game, options, frame, tariffs, solver)
            g.report(frame, title + " (each against everyone else's current tariffs)", caption, json_file, document)
            runs.save(store, "optimal", document, title)
            return
        only = results[choosers[0]]
        effects = only.to_frame()
        if json_file != "-":
            print_frame(frame, title, digits=3, caption=caption)
        document = g.document("optimal", game, options, effects, tariffs, solver)
        g.report(effects, f"Effects of {choosers[0]}'s optimal tariffs on every country", "% change from the baseline.",
                 json_file, document)
        runs.save(store, "optimal", document, title)


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]
