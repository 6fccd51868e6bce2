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
    when asked, and calibrate the model: what every world-scale game command starts from."""
    from tariffsim.conventions import get_convention, prepare
    from tariffsim.errors import OptionError
    from tariffsim.models import get_model
    from tariffsim.purge import purge as purge_world

    if mode not in ("uniform", "mfn", "discriminatory"):
        raise OptionError(f"--mode {mode!r}: use uniform, mfn or discriminatory")
    chosen = get_convention(convention)
    world = load_world(data, year=year, elasticity=elasticity)
    if chosen.name == "tariffwar":
        if model not in ("krugman", chosen.model) or purge or mode not in ("uniform", chosen.nash_mode):
            stderr.print(f"[dim]--convention tariffwar: {chosen.model} model, uniform tariffs, deficits purged "
                         "first (other --model/--mode/--purge choices are the convention's)[/]", highlight=False)
        model, mode, net_exports = chosen.model, chosen.nash_mode, "zero"
        with status("preparing the world in the tariffwar convention"):
            world = prepare(world, chosen)
    elif purge:
        with status("purging trade imbalances"):
            world = purge_world(world, get_model(model))
    solver = get_model(model)
    upper = chosen.tariff_cap if chosen.tariff_cap is not None else 10.0
    return Prepared(world, solver.calibrate(world), solver.name, mode, net_exports, chosen, upper)


def progress_lines():
    """``on_progress`` for the games: each stage as a dim line on a terminal, nothing otherwise."""
    return (lambda text: stderr.print(f"[dim]{text}[/]", highlight=False)) if stderr.is_terminal else None


def run(*, data: str, model: str, countries: str | None, mode: str, convention: str | None, purge: bool,
        net_exports: str, year: int | None, elasticity: str | None, json_file: str | None, csv_dir: Path | None,
        check: int) -> None:
    """Read, prepare and calibrate the world, play the war, print the table and summary, write the files."""
    from tariffsim.assumptions import assumptions
    from tariffsim.cli._games import country_list
    from tariffsim.games.world_nash import world_nash
    from tariffsim.outputs import Outputs

    outputs = Outputs()
    json_path = outputs.file(None if json_file == "-" else json_file, "--json")
    csv_path = outputs.folder(csv_dir, "--csv")
    game = prepare_game(data=data, model=model, mode=mode, convention=convention, purge=purge,
                        net_exports=net_exports, year=year, elasticity=elasticity)
    world, mode, net_exports, chosen = game.world, game.mode, game.net_exports, game.convention
    players = country_list(world, countries)
    with status(f"solving the {mode} Nash war of {len(players or world.countries)} players (stacked Newton)"):
        war = world_nash(game.calibration, mode=mode, players=players, net_exports=net_exports, upper=game.upper,
                         check=check, on_progress=progress_lines())
    frame = war.to_frame()
    facts = war.facts()
    document = {"schema": "tariffsim.games.world_nash", "schema_version": 1, "model": game.model,
                "convention": chosen.facts(), "mode": mode, "assumptions": assumptions(world, net_exports),
                "countries": json.loads(frame.reset_index().to_json(orient="records")),
                "tariffs": json.loads(war.tariff_frame().to_json(orient="records")), "verification": facts}
    if json_file == "-":
        stdout.print_json(json.dumps(document, allow_nan=True))
    else:
        _print(war, frame, facts, world, game.model, mode, chosen, document)
    writers = {json_path: lambda path: path.write_text(json.dumps(document, indent=1, allow_nan=True)),
               csv_path: lambda folder: (frame.reset_index().to_csv(folder / "countries.csv", index=False),
                                         war.tariff_frame().to_csv(folder / "tariffs.csv", index=False))}
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        (stderr if json_file == "-" else stdout).print(f"wrote {path}")


def _print(war, frame, facts, world, model_name: str, mode: str, convention, document) -> None:
    import pandas as pd

    from tariffsim.assumptions import assumptions_text
    from tariffsim.cli.solve import SHOWN_COUNTRIES

    summary = pd.DataFrame({"tariff %": [frame["tariff %"].mean(), frame["tariff %"].median()],
                            "welfare %": [frame["welfare %"].mean(), frame["welfare %"].median()]},
                           index=pd.Index(["mean", "median"], name=""))
    named = [c for c in SUMMARY_COUNTRIES if c in frame.index]
    summary = pd.concat([summary, frame.loc[named, ["tariff %", "welfare %"]]])
    verified = (f"Verified: equilibrium residual {facts['equilibrium_residual']:.1e}, first-order residual "
                f"{facts['foc_residual']:.1e}, largest remaining best-response gain {facts['max_gain']:.1e} (log G) "
                f"over {len(facts['best_response_gains'])} re-optimised players; {facts['newton_steps']} Newton steps.")
    conv = f" Convention: {convention.name} ({convention.description})." if convention.name != "tariffsim" else ""
    print_frame(summary, f"{mode.capitalize()} Nash tariff war — {model_name} model, {world.label}", digits=2,
                caption=f"{verified}{conv}\n{assumptions_text(document['assumptions'])}")
    shown = frame.reindex(frame["welfare %"].abs().sort_values(ascending=False).index)
    if len(shown) > SHOWN_COUNTRIES:
        shown = shown.iloc[:SHOWN_COUNTRIES]
    print_frame(shown, "By country (largest welfare changes first)", digits=2,
                caption=(f"{len(frame) - len(shown)} more countries in --csv / --json." if len(frame) > len(shown)
                         else None))
