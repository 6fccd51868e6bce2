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

Every problem raises ``ScenarioError`` naming ``pack.toml``, the table and the key, with the rules and
wording of ``tariffsim.toml_schema`` (shared with scenario and experiment files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tariffsim.errors import ScenarioError
from tariffsim.scenario import Scenario, load_scenario
from tariffsim.scenario._parse import world_name
from tariffsim.toml_schema import Table, read_toml

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
    document = Table.document(read_toml(path, "pack"), str(path), "pack")
    document.refuse_placeholders("pack", order=TOP_KEYS)
    document.only(TOP_KEYS)
    tables = document.tables("scenario", SCENARIO_KEYS)
    if not tables:
        raise document.error("list the scenarios as [[scenario]] tables with file = \"...\" and label = \"...\"")
    scenarios = tuple(_scenario(folder, table) for table in tables)
    files = [s.file for s in scenarios]
    if len(set(files)) != len(files):
        raise document.error(f"a scenario file is listed twice: {files}")
    return Pack(folder=folder, title=document.text("title"), story=document.text("story", "", allow_empty=True),
                world=world_name(document), focus=_pair(document, "focus"),
                scenarios=scenarios,
                diversion=_diversion(document.table("diversion", DIVERSION_KEYS), files)
                if "diversion" in document else None,
                game=_game(document.table("game", GAME_KEYS)) if "game" in document else None)


def _scenario(folder: Path, table: Table) -> PackScenario:
    file = table.text("file")
    return PackScenario(file=file, label=table.text("label"), scenario=load_scenario(folder / file))


def _diversion(table: Table, files: list[str]) -> DiversionSpec:
    spec = {key: table.text(key) for key in ("bilateral", "multilateral", "importer", "partner")}
    for key in ("bilateral", "multilateral"):
        if spec[key] not in files:
            raise table.invalid(key, f"not one of the [[scenario]] files {files}")
    return DiversionSpec(**spec, sectors=table.names("sectors", ("all",), example="\"agrifood\" or [\"agr\", \"fod\"]"))


def _game(table: Table) -> GameSpec:
    return GameSpec(pair=_pair(table, "pair"),
                    frontier_points=table.integer("frontier_points", GameSpec.frontier_points, minimum=2))


def _pair(table: Table, key: str) -> tuple[str, str]:
    pair = table.names(key, example="[\"USA\", \"JPN\"]")
    if len(pair) != 2:
        raise table.invalid(key, f"name two countries, e.g. {key} = [\"USA\", \"JPN\"]")
    return pair[0], pair[1]
