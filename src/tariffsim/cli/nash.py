"""``tariffsim nash``: the Nash equilibrium of a tariff war, with its convergence path."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cache import DEFAULT_FOLDER
from tariffsim.cli import _games as g
from tariffsim.cli import _world_options as w
from tariffsim.cli import runs
from tariffsim.cli._common import Elasticity, Year, friendly_errors


def nash(
    ctx: typer.Context,
    data: g.Data,
    model: g.ModelName = "krugman",
    countries: g.Countries = None,
    mfn: g.Mfn = False,
    weights: g.Weights = "ones",
    method: str = typer.Option("jacobi", "--method", help="jacobi (simultaneous best responses, run in parallel "
                               "and cached), gauss-seidel (one player after another), or stacked (Newton on "
                               "every player's first-order conditions and the equilibrium at once: world scale)."),
    mode: w.Mode = "uniform",
    convention: w.Convention = None,
    csv_dir: w.CsvFolder = None,
    check: w.Check = 8,
    max_rounds: int = typer.Option(60, "--max-rounds", min=1, help="Give up after this many rounds."),
    purge: g.Purge = False,
    net_exports: g.NetExports = "fixed",
    year: Year = None,
    elasticity: Elasticity = None,
    json_file: g.JsonFile = None,
    scheduler: g.Scheduler = "local",
    workers: g.Workers = 2,
    cache_dir: g.CacheDir = Path(DEFAULT_FOLDER),
    no_cache: g.NoCache = False,
    save: runs.Save = False,
    runs_db: runs.RunsDb = None,
) -> None:
    """Nash tariffs of a trade war: every player's tariffs are a best response to the others'.

    Rounds of best responses until no tariff moves by more than 0.01 points and no government can gain more than 1e-7 in log welfare; countries outside --countries keep their tariffs. An interrupted Jacobi run resumes from the cache.

    Example: [bold]tariffsim nash --data ossa2014 --purge --net-exports zero --countries USA,JPN --mfn[/]
    """
    with friendly_errors(ctx):
        store = runs.open_store(save, runs_db)
        title = f"Nash {'MFN ' if mfn else ''}tariff war{f' among {countries}' if countries else ''} on {data}"
        if method == "stacked" or convention is not None:
            from tariffsim.cli import _world_nash

            runs.refuse_sweep(store, elasticity)
            document = _world_nash.run(data=data, model=model, countries=countries, mode="mfn" if mfn else mode,
                            convention=convention, purge=purge, net_exports=net_exports, year=year,
                            elasticity=elasticity, json_file=json_file, csv_dir=csv_dir, check=check,
                            scheduler=scheduler, workers=workers)
            runs.save(store, "nash", document, title)
            return
        g.json_output(json_file)  # a bad --json target fails now, not after the game
        game = g.load_game(data, purge, weights, net_exports, cache_dir, no_cache, model, year=year,
                           elasticity=elasticity)
        war = g.run_nash(game, g.country_list(game.world, countries), mfn=mfn, method=method,
                         scheduler=scheduler, workers=workers, max_rounds=max_rounds)
        g.warn_at_upper_bound([war], g.fixed_imbalances(game.world, game.net_exports), "Nash tariff")
        frame = war.to_frame()
        last = war.rounds[-1]
        facts = war.facts()
        document = _document(game, war, frame, facts, mfn, method)
        g.report(frame, f"Nash {'MFN ' if war.mfn else ''}tariff war among {', '.join(war.players)} — "
                        f"{game.calibration.model.name} model, {game.world.label or data}",
                 (f"% change from the baseline; converged in {len(war.rounds)} {method} rounds: largest tariff "
                  f"change {last.max_change:.1e}, largest remaining best-response gain {war.max_gain:.1e} (log G), "
                  f"KKT residual {war.kkt_residual:.1e}; {war.solves} equilibrium solves, {war.seconds:.1f} s."),
                 json_file, document)
        runs.save(store, "nash", document, title)


def _document(game, war, frame, facts, mfn: bool, method: str) -> dict:
    rounds = war.rounds_frame().to_dict("records")
    return g.document("nash", game, {"players": list(war.players), "mfn": mfn, "method": method}, frame,
                      war.tariff_frame(), facts, rounds=rounds)
