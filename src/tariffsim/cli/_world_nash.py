"""``tariffsim nash --method stacked``: a world-scale Nash war by Newton on the stacked first-order
conditions (``games.world_nash``), optionally in the tariffwar package's convention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tariffsim.cli._common import load_world, print_frame, status, stderr, stdout
from tariffsim.conventions import Convention
from tariffsim.models import Calibration
from tariffsim.world import World

SUMMARY_COUNTRIES = ("USA", "CHN", "JPN", "DEU")


@dataclass(frozen=True)
class Prepared:
    """A world made ready for a world-scale game: as the convention (or --purge) says, calibrated."""

    world: World
    calibration: Calibration
    model: str
    mode: str
    net_exports: str
    convention: Convention
    upper: float


def prepare_game(*, data: str, model: str, mode: str, convention: str | None, purge: bool, net_exports: str,
                 year: int | None, elasticity: str | None) -> Prepared:
    """Read the world, apply the convention (tariffwar: its model, uniform mode, purge, 100% cap) or purge
    when asked (``games.war_sensitivity.war_settings`` and ``prepared_world``: the same rule as the
    elasticity sweep), and calibrate the model: what every world-scale game command starts from."""
    from tariffsim.games.war_sensitivity import prepared_world, war_settings
    from tariffsim.models import get_model

    settings = war_settings(model=model, mode=mode, convention=convention, purge=purge, net_exports=net_exports)
    chosen = settings.convention
    if chosen.nash_mode is not None and (model not in ("krugman", settings.model) or purge
                                         or mode not in ("uniform", settings.mode)):
        stderr.print(f"[dim]--convention {chosen.name}: {settings.model} model, {settings.mode} tariffs, deficits "
                     "purged first (other --model/--mode/--purge choices are the convention's)[/]", highlight=False)
    world = load_world(data, year=year, elasticity=elasticity)
    with status(f"preparing the world ({chosen.name} convention{', purging imbalances' if settings.purge else ''})"):
        world = prepared_world(world, settings)
    solver = get_model(settings.model)
    return Prepared(world, solver.calibrate(world), solver.name, settings.mode, settings.net_exports, chosen,
                    settings.upper)


def progress_lines():
    """``on_progress`` for the games: each stage as a dim line on a terminal, nothing otherwise."""
    return (lambda text: stderr.print(f"[dim]{text}[/]", highlight=False)) if stderr.is_terminal else None


def run(*, data: str, model: str, countries: str | None, mode: str, convention: str | None, purge: bool,
        net_exports: str, year: int | None, elasticity: str | None, json_file: str | None, csv_dir: Path | None,
        check: int, scheduler: str = "serial", workers: int = 2) -> dict | None:
    """Read, prepare and calibrate the world, play the war, print the table and summary, write the files
    (``--elasticity all`` or a list of sets: the war under each set, on ``scheduler``, ``cli._war_sweep``).
    Returns the war's JSON document (None for a sweep)."""
    from tariffsim.cli import _war_sweep

    if _war_sweep.is_sweep(elasticity):
        return _war_sweep.run_sweep(data=data, model=model, countries=countries, mode=mode, convention=convention,
                                    purge=purge, net_exports=net_exports, year=year, elasticity=elasticity,
                                    json_file=json_file, csv_dir=csv_dir, check=check, scheduler=scheduler,
                                    workers=workers)
    from tariffsim.cli._games import country_list, fixed_imbalances, warn_at_upper_bound
    from tariffsim.games.world_nash import world_nash
    from tariffsim.outputs import Outputs

    outputs = Outputs()
    json_path = outputs.file(None if json_file == "-" else json_file, "--json")
    csv_path = outputs.folder(csv_dir, "--csv")
    game = prepare_game(data=data, model=model, mode=mode, convention=convention, purge=purge,
                        net_exports=net_exports, year=year, elasticity=elasticity)
    world, mode, net_exports = game.world, game.mode, game.net_exports
    players = country_list(world, countries)
    with status(f"solving the {mode} Nash war of {len(players or world.countries)} players (stacked Newton)"):
        war = world_nash(game.calibration, mode=mode, players=players, net_exports=net_exports, upper=game.upper,
                         check=check, on_progress=progress_lines())
    warn_at_upper_bound([war], fixed_imbalances(world, net_exports), "Nash tariff")
    return _finish(game, war.to_frame(), war.tariff_frame(), war.facts(), schema="tariffsim.games.world_nash",
            title=f"{mode.capitalize()} Nash tariff war", json_file=json_file, outputs=outputs, json_path=json_path,
            csv_path=csv_path)


def run_optimal(*, data: str, model: str, country: str, mode: str, convention: str | None, purge: bool,
                net_exports: str, year: int | None, elasticity: str | None, json_file: str | None,
                csv_dir: Path | None, retaliation: bool, responders: str | None, scenario: Path | None,
                check: int, scheduler: str = "serial", workers: int = 2) -> dict | None:
    """One country's optimal tariffs against the world, and with ``retaliation`` the others' optimal answer
    (to that optimum, or to the first mover's tariffs in ``scenario``); ``--elasticity all`` or a list of
    sets: the optimum under each set (``cli._war_sweep``, on ``scheduler``). Returns the JSON document (None
    for a sweep)."""
    from tariffsim.cli import _war_sweep
    from tariffsim.cli._games import country_list, fixed_imbalances, warn_at_upper_bound
    from tariffsim.errors import OptionError
    from tariffsim.games.retaliation import optimal_against_world, optimal_retaliation
    from tariffsim.outputs import Outputs
    from tariffsim.scenario import load_scenario

    if "," in country or country.strip().lower() == "all":
        raise OptionError(f"--country {country!r}: --method stacked finds one country's optimum against the "
                          "world; for every country's tariffs at once use `tariffsim nash --method stacked`")
    if _war_sweep.is_sweep(elasticity) and retaliation:
        raise OptionError(f"--elasticity {elasticity} with --retaliation: the sweep plays one war or one optimum per "
                          "set; run the retaliation once per set (--elasticity U4, --elasticity CP, ...)")
    if _war_sweep.is_sweep(elasticity):
        return _war_sweep.run_sweep(data=data, model=model, countries=country, mode=mode, convention=convention,
                                    purge=purge, net_exports=net_exports, year=year, elasticity=elasticity,
                                    json_file=json_file, csv_dir=csv_dir, check=check, scheduler=scheduler,
                                    workers=workers)
    if (scenario is not None or responders is not None) and not retaliation:
        raise OptionError("--scenario and --responders describe a retaliation: add --retaliation")
    outputs = Outputs()
    json_path = outputs.file(None if json_file == "-" else json_file, "--json")
    csv_path = outputs.folder(csv_dir, "--csv")
    plan = load_scenario(scenario) if scenario is not None else None
    game = prepare_game(data=data, model=model, mode=mode, convention=convention, purge=purge,
                        net_exports=net_exports, year=year, elasticity=elasticity)
    code = game.world.countries[game.world.country_indices([country])[0]]
    options = {"mode": game.mode, "net_exports": game.net_exports, "upper": game.upper,
               "on_progress": progress_lines()}
    imbalances = fixed_imbalances(game.world, game.net_exports)
    if not retaliation:
        with status(f"solving {code}'s optimal {game.mode} tariffs against the world (stacked Newton)"):
            best = optimal_against_world(game.calibration, code, **options)
        warn_at_upper_bound([best], imbalances)
        return _finish(game, best.to_frame(), best.tariff_frame(), best.facts(),
                       schema="tariffsim.games.world_optimal",
                       title=f"{code}'s optimal {game.mode} tariffs against the world", json_file=json_file,
                       outputs=outputs, json_path=json_path, csv_path=csv_path)
    tariffs = None if plan is None else plan.apply(game.world).tariffs
    first = f"the tariffs of {scenario.name}" if plan is not None else "its optimum"
    with status(f"{code} sets {first}; the others answer with their optima (stacked Newton)"):
        answer = optimal_retaliation(game.calibration, code, tariffs=tariffs, given=plan is not None,
                                     responders=country_list(game.world, responders), check=check, **options)
    warn_at_upper_bound([answer.first] if answer.first is not None else [], imbalances)
    warn_at_upper_bound([answer.response], imbalances, "retaliatory tariff")
    facts = answer.facts()
    return _finish(game, answer.to_frame(), answer.response.tariff_frame(), facts["response"],
                   schema="tariffsim.games.world_retaliation",
                   extra={"first_mover": code, "first": facts["first"], "first_tariffs": first},
                   title=f"Optimal retaliation against {code} ({first})", json_file=json_file, outputs=outputs,
                   json_path=json_path, csv_path=csv_path)


def _finish(game: Prepared, frame, tariffs, facts: dict, *, schema: str, title: str, json_file: str | None,
            outputs, json_path, csv_path, extra: dict | None = None) -> dict:
    """Print the summary and the by-country table (or the JSON on stdout), write the declared files and
    return the JSON document."""
    from tariffsim.assumptions import assumptions

    document = {"schema": schema, "schema_version": 1, "model": game.model, "convention": game.convention.facts(),
                "mode": game.mode, "assumptions": assumptions(game.world, game.net_exports), **(extra or {}),
                "countries": json.loads(frame.reset_index().to_json(orient="records")),
                "tariffs": json.loads(tariffs.to_json(orient="records")), "verification": facts}
    if json_file == "-":
        stdout.print_json(json.dumps(document, allow_nan=True))
    else:
        _print(frame, facts, game, title, document)
    writers = {json_path: lambda path: path.write_text(json.dumps(document, indent=1, allow_nan=True)),
               csv_path: lambda folder: (frame.reset_index().to_csv(folder / "countries.csv", index=False),
                                         tariffs.to_csv(folder / "tariffs.csv", index=False))}
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        (stderr if json_file == "-" else stdout).print(f"wrote {path}")
    return document


def _print(frame, facts: dict, game: Prepared, title: str, document: dict) -> None:
    import pandas as pd

    from tariffsim.assumptions import assumptions_text
    from tariffsim.cli.solve import SHOWN_COUNTRIES

    summary = pd.DataFrame({"tariff %": [frame["tariff %"].mean(), frame["tariff %"].median()],
                            "welfare %": [frame["welfare %"].mean(), frame["welfare %"].median()]},
                           index=pd.Index(["mean", "median"], name=""))
    named = [c for c in SUMMARY_COUNTRIES if c in frame.index]
    summary = pd.concat([summary, frame.loc[named, ["tariff %", "welfare %"]]])
    verified = "Verified: " + _verified(facts)
    if document.get("first") is not None:
        verified = f"Verified: the first move: {_verified(document['first'])}\nThe answer: {_verified(facts)}"
    convention = game.convention
    conv = f" Convention: {convention.name} ({convention.description})." if convention.name != "tariffsim" else ""
    print_frame(summary, f"{title} — {game.model} model, {game.world.label}", digits=2,
                caption=f"{verified}{conv}\n{assumptions_text(document['assumptions'])}")
    shown = frame.reindex(frame["welfare %"].abs().sort_values(ascending=False).index)
    if len(shown) > SHOWN_COUNTRIES:
        shown = shown.iloc[:SHOWN_COUNTRIES]
    print_frame(shown, "By country (largest welfare changes first)", digits=2,
                caption=(f"{len(frame) - len(shown)} more countries in --csv / --json." if len(frame) > len(shown)
                         else None))


def _verified(facts: dict) -> str:
    """One war's verification in a sentence."""
    return (f"equilibrium residual {facts['equilibrium_residual']:.1e}, first-order residual "
            f"{facts['foc_residual']:.1e}, largest remaining best-response gain {facts['max_gain']:.1e} (log G) "
            f"over {len(facts['best_response_gains'])} re-optimised players; {facts['newton_steps']} Newton steps.")
