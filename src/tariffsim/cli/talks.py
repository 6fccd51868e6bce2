"""``tariffsim talks``: cooperative trade talks, efficient tariffs with equal government-welfare gains."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cache import DEFAULT_FOLDER
from tariffsim.cli import _games as g
from tariffsim.cli import runs
from tariffsim.cli._common import Elasticity, Year, friendly_errors, status

BASELINES = ("factual", "nash", "free-trade")


def talks(
    ctx: typer.Context,
    data: g.Data,
    model: g.ModelName = "krugman",
    countries: g.Countries = None,
    mfn: g.Mfn = False,
    baseline: str = typer.Option("factual", "--baseline", help="Gains measured from: factual tariffs, the Nash "
                                 "tariff war among the same countries, or free trade (all tariffs zero)."),
    unrestricted: bool = typer.Option(False, "--unrestricted", help="Allow import subsidies (tariffs down to "
                                      "-50%) instead of tariffs >= 0."),
    weights: g.Weights = "ones",
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
    """Trade talks: the efficient tariffs at which every participant's government gains the same.

    Countries outside --countries keep their tariffs. --scheduler runs the Nash baseline's best responses.

    Example: [bold]tariffsim talks --data ossa2014 --purge --net-exports zero --baseline nash --mfn[/]
    """
    with friendly_errors(ctx):
        import dataclasses

        import numpy as np

        from tariffsim.errors import OptionError
        from tariffsim.games import UNRESTRICTED_LOWER, TradeTalks, cooperative_tariffs, rebase
        from tariffsim.games.tables import median_tariff_pct

        g.json_output(json_file)  # a bad --json target fails now, not after the game
        store = runs.open_store(save, runs_db)
        if baseline not in BASELINES:
            raise OptionError(f"--baseline {baseline!r}: use {', '.join(BASELINES)}")
        game = g.load_game(data, purge, weights, net_exports, cache_dir, no_cache, model, year=year,
                           elasticity=elasticity)
        participants = g.country_list(game.world, countries)
        imbalances = g.fixed_imbalances(game.world, game.net_exports)
        if baseline != "factual":
            if baseline == "nash":
                war = g.run_nash(game, participants, mfn=mfn, method="jacobi", scheduler=scheduler, workers=workers)
                g.warn_at_upper_bound([war], imbalances, "Nash tariff (the talks' baseline)")
                cube = war.tariffs
            else:
                cube = np.zeros_like(game.world.tariffs)
            solver = game.calibration.model
            with status(f"rebasing to the {baseline} baseline"):
                world = rebase(game.world, cube, solver, game.net_exports)
                game = dataclasses.replace(game, world=world, calibration=solver.calibrate(world))
        lower = UNRESTRICTED_LOWER if unrestricted else 0.0
        options = dict(participants=participants, mfn=mfn, lower=lower, net_exports=game.net_exports)
        key = game.key("trade talks", options)

        def negotiate(_name: str) -> TradeTalks:
            return cooperative_tariffs(game.calibration, weights=game.weights, **options)

        deal = g.cached_results(game, {"the talks": key}, TradeTalks, "cooperative tariffs", negotiate,
                                scheduler="serial", workers=1)["the talks"]
        g.warn_at_upper_bound([deal], imbalances, "agreed tariff")
        frame = deal.to_frame()
        frame.insert(3, "baseline median tariff %", median_tariff_pct(game.world.tariffs))
        facts = deal.facts()
        doc_options = {"participants": list(deal.participants), "mfn": mfn, "baseline": baseline,
                       "unrestricted": unrestricted, "lower_bound": lower}
        title = (f"Trade talks among {', '.join(deal.participants)} from the {baseline} baseline ({model} model)"
                 f"{' (MFN)' if mfn else ''}{' (unrestricted)' if unrestricted else ''}")
        document = g.document("talks", game, doc_options, frame, deal.tariff_frame(), facts)
        g.report(frame, title,
                 (f"% change from the {baseline} baseline; common gain {deal.common_gain_pct:.3f}%, equal to "
                  f"{deal.equal_gain_residual:.1e} in log G; KKT residual {deal.kkt_residual:.1e}; {deal.solves} "
                  f"equilibrium solves, {deal.seconds:.1f} s."),
                 json_file, document)
        runs.save(store, "talks", document, title)
