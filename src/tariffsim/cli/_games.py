"""What the game commands (optimal, nash, talks) share: options, the calibrated world, the cache,
progress bars on stderr and the Nash run both nash and talks need. Tables and JSON documents of game
results come from the library (``tariffsim.games.tables``, the results' ``to_frame``); for ``optimal``
with several countries the document has one row per choosing country at its own optimum.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from tariffsim.cli._common import DATA_HELP, print_frame, show_warning, stderr, stdout

if TYPE_CHECKING:
    import pandas as pd

    from tariffsim.cache import Cache
    from tariffsim.games import NashEquilibrium
    from tariffsim.models import Calibration
    from tariffsim.world import World

# The code that computes game results: cached results are reused only while it is unchanged.
GAME_SOURCES = ("games", "models", "solve.py", "equilibrium.py", "policy.py", "welfare.py", "world.py", "purge.py",
                "_jax.py")

Data = Annotated[str, typer.Option("--data", "-d", help=DATA_HELP)]
ModelName = Annotated[str, typer.Option("--model", "-m", help="krugman (default; Ossa 2014), armington, or "
                                                               "caliendo_parro (needs a cp2015-layout folder).")]
Mfn = Annotated[bool, typer.Option("--mfn", help="One tariff per sector for all partners (MFN) instead of one "
                                                 "per partner and sector.")]
Weights = Annotated[str, typer.Option(
    "--weights", "-w", help="Political-economy weights lambda: 'ones' (governments maximise welfare); 'paper' "
                            "(Ossa 2014's weights as the paper computes them, by its heuristic: needs --data "
                            "ossa2014, takes a few minutes once, then cached); 'exact' (the paper's calibration "
                            "criterion solved exactly, same data); or a CSV/Parquet file, wide (country code, "
                            "then one column per sector) or long (country, sector, weight).")]
Purge = Annotated[bool, typer.Option("--purge", help="Purge trade imbalances first (Ossa 2014's step).")]
NetExports = Annotated[str, typer.Option("--net-exports", help="Counterfactual net exports: fixed (at their "
                                                               "baseline level) or zero.")]
Countries = Annotated[str, typer.Option("--countries", "-c", help="Comma-separated country codes (default: all).")]
JsonFile = Annotated[str, typer.Option("--json", help="Write results as JSON to this file ('-' for stdout).")]
Scheduler = Annotated[str, typer.Option("--scheduler", help="Where independent pieces run: local (a dask "
                                                            "LocalCluster), serial, or a dask scheduler address "
                                                            "such as tcp://10.0.0.5:8786.")]
Workers = Annotated[int, typer.Option("--workers", min=1, help="LocalCluster worker processes.")]
CacheDir = Annotated[Path, typer.Option("--cache", file_okay=False, help="Folder of cached results (an "
                                                                         "interrupted run resumes from it).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither reuse nor store cached results.")]


@dataclass(frozen=True)
class Game:
    """The calibrated world a game is played on, with its options and cache."""

    world: World
    calibration: Calibration  # calibration.model plays every game (its solver settings included)
    weights: np.ndarray
    weights_label: str
    net_exports: str
    cache: Cache | None

    def key(self, *parts: object) -> str:
        """Cache key of a result of this game: the code of GAME_SOURCES, the world, model, weights,
        net-exports rule and ``parts``."""
        from tariffsim.cache import fingerprint, source_digest

        return fingerprint(source_digest(GAME_SOURCES), repr(self.calibration.model), self.world, self.weights,
                           self.net_exports, *parts)


def load_game(data: str, purge: bool, weights: str, net_exports: str, cache_dir: Path, no_cache: bool,
              model: str = "krugman", *, year: int | None = None, elasticity: str | None = None) -> Game:
    """Read, optionally purge, and calibrate the world for ``model``; read the weights; open the cache."""
    from tariffsim.cache import Cache
    from tariffsim.cli._calibrate import calibrated
    from tariffsim.errors import OptionError
    from tariffsim.io.weights import read_weights

    if net_exports not in ("fixed", "zero"):
        raise OptionError(f"--net-exports {net_exports!r}: use fixed or zero")
    _, world, calibration = calibrated(model, data, None, purge, year=year, elasticity=elasticity)
    cache = None if no_cache else Cache(cache_dir)
    if weights.lower() == "ones":
        lam = np.ones((world.n_countries, world.n_sectors))
    elif weights.lower() in ("paper", "exact"):  # Ossa 2014's weights, computed from its folder (replication)
        from tariffsim.replication.ossa2014_pipeline import ossa2014_weights

        lam = ossa2014_weights(data, world, weights.lower(), cache=cache, announce=note)
    else:
        lam = read_weights(Path(weights), world)
    return Game(world, calibration, lam, weights, net_exports, cache)


def country_list(world: World, text: str | None) -> list[str] | None:
    """Codes of ``--countries USA,JPN`` (None for all), checked against the world."""
    if text is None or text.strip().lower() == "all":
        return None
    return [world.countries[k] for k in world.country_indices([c.strip() for c in text.split(",") if c.strip()])]


def note(message: str) -> None:
    """A diagnostic line on stderr."""
    stderr.print(f"[dim]{message}[/]", highlight=False)


@contextlib.contextmanager
def progress() -> Iterator[Any]:
    """A rich Progress on stderr with bars, counts and ETA; silent when stderr is not a terminal."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("ETA"), TimeRemainingColumn(), console=stderr,
                  disable=not stderr.is_terminal) as bars:
        yield bars


def run_nash(game: Game, players: Sequence[str] | None, *, mfn: bool, method: str, scheduler: str, workers: int,
             max_rounds: int = 60) -> NashEquilibrium:
    """The Nash tariff war among ``players``: rounds on ``scheduler``, best responses cached (Jacobi)."""
    from tariffsim.cache import fingerprint
    from tariffsim.cli._game_cache import CachedBestResponses
    from tariffsim.games import nash_tariffs
    from tariffsim.parallel import executor

    world = game.world
    at_war = [world.countries[k] for k in world.country_indices(players or "all")]
    jacobi = method == "jacobi"
    if method == "gauss-seidel" and game.cache is not None:
        note("gauss-seidel rounds are sequential and not cached; use --method jacobi to resume interrupted runs")
    with progress() as bars, executor(scheduler if jacobi and len(at_war) > 1 else "serial", workers) as map_:
        task = bars.add_task("Nash: round 1", total=len(at_war) if jacobi else None)

        def start_round(number: int, total: int, reused: int) -> None:
            bars.reset(task, total=total, description=f"Nash: round {number}, best responses")
            if reused:
                note(f"round {number}: {reused} of {total} best responses reused from the cache {game.cache.folder}")

        def finished(record) -> None:
            if not jacobi:
                bars.update(task, description=f"Nash: round {record.number + 1}", advance=1)
            bars.console.print(f"[dim]round {record.number}: largest tariff change {record.max_change:.2e}, "
                               f"largest remaining gain {record.max_gain:.2e} (log G), {record.seconds:.1f} s[/]",
                               highlight=False)

        if jacobi:
            run_key = fingerprint("nash best response", game.key(), at_war, mfn)
            map_ = CachedBestResponses(map_, game.cache, run_key, game.calibration, game.net_exports,
                                       on_round=start_round, on_result=lambda: bars.advance(task))
        return nash_tariffs(game.calibration, players=at_war, weights=game.weights, mfn=mfn, method=method,
                            net_exports=game.net_exports, max_rounds=max_rounds, map_=map_, on_round=finished)


def cached_results(game: Game, keys: dict[str, str], kind: type, what: str, compute, *, scheduler: str,
                   workers: int) -> dict[str, Any]:
    """``{name: compute(name)}`` for each name of ``keys``, reusing results cached under ``keys[name]``.

    The names not cached run through ``tariffsim.parallel.executor`` (serially when there is one), each
    stored as soon as it finishes; a progress bar counts them.
    """
    from tariffsim.cli._game_cache import load, store
    from tariffsim.parallel import executor

    results: dict[str, Any] = {}
    for name, key in keys.items():
        found = None if game.cache is None else load(game.cache, key, kind, game.calibration, game.net_exports)
        if found is not None:
            note(f"reusing the cached {what} of {name} from {game.cache.folder} (computed in "
                 f"{found[0].seconds:.1f} s)")
            results[name] = found[0]
    missing = [name for name in keys if name not in results]
    with progress() as bars, executor(scheduler if len(missing) > 1 else "serial", workers) as map_:
        task = bars.add_task(f"{what}: {', '.join(missing)}", total=len(missing))

        def keep(position: int, result: Any) -> None:
            if game.cache is not None:
                store(game.cache, keys[missing[position]], result)
            bars.advance(task)

        results.update(zip(missing, map_(compute, missing, on_result=keep), strict=True))
    return {name: results[name] for name in keys}


# ------------------------------------------------------------------------------------------- output
def document(command: str, game: Game, options: dict, countries: pd.DataFrame, tariffs: pd.DataFrame,
             solver: dict, **more: Any) -> dict:
    """The JSON document of a game's result (``tariffsim.games.tables.document``) with the game's options."""
    from tariffsim.games.tables import document as game_document

    return game_document(command, game.calibration.model.name, game.world,
                         {**options, "weights": game.weights_label, "net_exports": game.net_exports},
                         countries, tariffs, solver, **more)


def report(frame: pd.DataFrame, title: str, caption: str, json_file: str | None, doc: dict) -> None:
    """The results table on stdout (unless the JSON goes there), then the JSON document if asked for."""
    from tariffsim.assumptions import assumptions_text

    if json_file != "-":
        print_frame(frame, title, caption=f"{caption}\n{assumptions_text(doc['assumptions'])}")
    write_json(json_file, doc)


def fixed_imbalances(world: World, net_exports: str) -> bool:
    """``tariffsim.games._bounds.fixed_imbalances`` (imported when needed: the games load JAX)."""
    from tariffsim.games._bounds import fixed_imbalances as fixed

    return fixed(world, net_exports)


def warn_at_upper_bound(results, imbalances: bool, kind: str = "optimal tariff") -> None:
    """A warning on stderr for each player of each game result (anything with ``upper`` and
    ``upper_bound_cells``, see ``tariffsim.games._bounds``) whose chosen tariffs sit on the upper bound
    (their value is the bound's), naming the cells; with ``imbalances`` (``fixed_imbalances``), the fix."""
    cause = (" With fixed non-zero net exports optimal tariffs often run to the bound (Ossa 2014 purges the "
             "imbalances first): try --purge --net-exports zero." if imbalances else "")
    for result in results:
        for player, hits in result.upper_bound_cells.items():
            cells = [_cell_text(cell) for cell in hits]
            shown = ", ".join(cells[:6]) + (f" and {len(cells) - 6} more" if len(cells) > 6 else "")
            show_warning(f"{player}'s {kind} sits on the upper bound {100 * result.upper:,.0f}% for {shown}: the "
                         "country would go higher if it could, so read it as 'prohibitive', not as a computed "
                         f"optimum.{cause}")


def _cell_text(cell: str) -> str:
    """``"partner sector"`` of a chosen tariff in words (``*``: every partner or sector)."""
    partner, _, sector = cell.partition(" ")
    if partner == "*":
        return "all its imports" if sector == "*" else f"{sector} (every partner)"
    return f"{partner} (every sector)" if sector == "*" else cell


def json_output(path: str | None):
    """The ``--json`` target as ``Outputs`` (none for '-' or None), checked now: call it before any work,
    so a bad target fails at once, and again to write."""
    from tariffsim.outputs import Outputs

    outputs = Outputs()
    outputs.file(None if path == "-" else path, "--json")
    return outputs


def write_json(path: str | None, doc: dict) -> None:
    """Write ``doc`` to ``path`` (atomically), to stdout for '-', or nothing for None."""
    if path is None:
        return
    text = json.dumps(doc, indent=1, allow_nan=True)
    if path == "-":
        stdout.print_json(text)
        return
    json_output(path).write({Path(path): lambda p: p.write_text(text)})
    stdout.print(f"wrote {path}")
