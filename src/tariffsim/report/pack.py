"""A scenario pack: a folder of scenario files and a ``pack.toml`` saying what the report runs.

``pack.toml`` (see ``examples/japan_us_2018/pack.toml``)::

    title = "..."                      # the report's title
    story = "..."                      # the news story or question behind the pack (optional)
    world = "ossa2014"                 # data set used when no --data is given (optional)
    focus = ["JPN", "USA"]             # the two countries the headline and sector charts follow

    [[scenario]]                       # one table per scenario, in report order
    file = "car_threat.toml"           # a scenario file in the same folder (tariffsim.scenario format)
    label = "Car threat"               # short name for charts and tables

    [diversion]                        # optional: bilateral deal vs its multilateral twin
    bilateral = "deal_bilateral.toml"
    multilateral = "deal_multilateral.toml"
    importer = "JPN"                   # whose imports are liberalised
    partner = "USA"                    # who gets the cuts in the bilateral deal (others are third countries)
    sectors = "agrifood"               # a group, a code or a list

    [game]                             # optional: the game view of a pair
    pair = ["USA", "JPN"]
    frontier_points = 7                # deals on the efficient frontier (bargaining weights 0.1 ... 0.9)

Every problem raises ``ScenarioError`` naming ``pack.toml`` and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tariffsim._toml import read_toml
from tariffsim.errors import ScenarioError
from tariffsim.scenario import Scenario, load_scenario

PACK_FILE = "pack.toml"
TOP_KEYS = ("title", "story", "world", "focus", "scenario", "diversion", "game")
SCENARIO_KEYS = ("file", "label")
DIVERSION_KEYS = ("bilateral", "multilateral", "importer", "partner", "sectors")
GAME_KEYS = ("pair", "frontier_points")


@dataclass(frozen=True)
class PackScenario:
    """One scenario of the pack: its file name, chart label and the checked Scenario."""

    file: str
    label: str
    scenario: Scenario


@dataclass(frozen=True)
class DiversionSpec:
    """Which two scenarios to compare for trade diversion, and where to look."""

    bilateral: str
    multilateral: str
    importer: str
    partner: str
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class GameSpec:
    """The pair whose game is shown, and how many frontier deals to compute."""

    pair: tuple[str, str]
    frontier_points: int = 7


@dataclass(frozen=True)
class Pack:
    """A checked scenario pack (names of countries and sectors are checked when applied to a world)."""

    folder: Path
    title: str
    story: str
    world: str | None
    focus: tuple[str, str]
    scenarios: tuple[PackScenario, ...]
    diversion: DiversionSpec | None
    game: GameSpec | None

    def scenario(self, file: str) -> PackScenario:
        """The pack scenario read from ``file``."""
        return next(s for s in self.scenarios if s.file == file)


def load_pack(folder: str | Path) -> Pack:
    """Read ``folder/pack.toml`` and every scenario it lists; ScenarioError on any problem."""
    folder = Path(folder)
    path = folder / PACK_FILE
    if not path.is_file():
        raise ScenarioError(f"{folder}: no {PACK_FILE} here; a scenario pack is a folder with a {PACK_FILE} "
                            "listing its scenario files (see examples/japan_us_2018/pack.toml)")
    data = read_toml(path, "pack")
    _check_keys(data, TOP_KEYS, str(path))
    tables = data.get("scenario", [])
    if not isinstance(tables, list) or not tables:
        raise ScenarioError(f"{path}: list the scenarios as [[scenario]] tables with file = \"...\" and label = \"...\"")
    scenarios = tuple(_scenario(folder, table, f"{path}, [[scenario]] #{n}") for n, table in enumerate(tables, 1))
    files = [s.file for s in scenarios]
    if len(set(files)) != len(files):
        raise ScenarioError(f"{path}: a scenario file is listed twice: {files}")
    return Pack(folder=folder, title=_text(data, "title", str(path)), story=_text(data, "story", str(path), ""),
                world=_text(data, "world", str(path), "") or None, focus=_pair(data, "focus", str(path)),
                scenarios=scenarios,
                diversion=_diversion(data.get("diversion"), files, f"{path}, [diversion]"),
                game=_game(data.get("game"), f"{path}, [game]"))


def _scenario(folder: Path, table: Any, where: str) -> PackScenario:
    _check_keys(table, SCENARIO_KEYS, where)
    file = _text(table, "file", where)
    return PackScenario(file=file, label=_text(table, "label", where), scenario=load_scenario(folder / file))


def _diversion(table: Any, files: list[str], where: str) -> DiversionSpec | None:
    if table is None:
        return None
    _check_keys(table, DIVERSION_KEYS, where)
    spec = {key: _text(table, key, where) for key in ("bilateral", "multilateral", "importer", "partner")}
    for key in ("bilateral", "multilateral"):
        if spec[key] not in files:
            raise ScenarioError(f"{where}: {key} = {spec[key]!r} is not one of the [[scenario]] files {files}")
    sectors = table.get("sectors", "all")
    sectors = (sectors,) if isinstance(sectors, str) else tuple(sectors)
    return DiversionSpec(**spec, sectors=sectors)


def _game(table: Any, where: str) -> GameSpec | None:
    if table is None:
        return None
    _check_keys(table, GAME_KEYS, where)
    points = table.get("frontier_points", GameSpec.frontier_points)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ScenarioError(f"{where}: frontier_points = {points!r}: give a whole number of at least 2")
    return GameSpec(pair=_pair(table, "pair", where), frontier_points=points)


def _pair(table: Any, key: str, where: str) -> tuple[str, str]:
    pair = table.get(key)
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(c, str) for c in pair):
        raise ScenarioError(f"{where}: {key} = {pair!r}: name two countries, e.g. {key} = [\"USA\", \"JPN\"]")
    return pair[0], pair[1]


def _text(table: Any, key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise ScenarioError(f"{where}: {key} must be text in quotes, e.g. {key} = \"...\"")
    return value.strip()


def _check_keys(table: Any, valid: tuple[str, ...], where: str) -> None:
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: expected a table of keys")
    unknown = [key for key in table if key not in valid]
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {unknown}; valid keys here: {', '.join(valid)}")
