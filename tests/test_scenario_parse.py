"""Reading scenarios: structure checks, messages, placeholders (no world needed)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from tariffsim.errors import ScenarioError
from tariffsim.scenario import Agreement, TariffChange, load_scenario, scenario_from_dict

CAR_TARIFF = {"description": "US cars", "importers": ["USA"], "exporters": ["JPN"], "sectors": ["mvh"],
              "add_points": 25}


def document(*changes: dict, agreements: tuple[dict, ...] = (), **top: object) -> dict:
    """A scenario dict with the required top-level keys."""
    return {"title": "t", "description": "d", **top, "change": list(changes), "agreement": list(agreements)}


def test_reads_a_file_into_frozen_steps(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'title = "Cars"\ndescription = "US cars"\nworld = "ossa2014"\nnet_exports = "zero"\n'
        '[[change]]\ndescription = "US cars"\nsource = "assumption"\nimporters = "USA"\n'
        'exporters = ["JPN"]\nsectors = ["mvh"]\nadd_points = 25\n'
        '[[agreement]]\ndescription = "FTA"\nmembers = ["USA", "EU"]\ncut = 0.5\n'
    )
    scenario = load_scenario(path)
    assert (scenario.title, scenario.world, scenario.net_exports, scenario.origin) == (
        "Cars", "ossa2014", "zero", str(path))
    assert scenario.changes == (TariffChange(1, "US cars", "add_points", 25.0, importers=("USA",),
                                             exporters=("JPN",), sectors=("mvh",), source="assumption"),)
    assert scenario.agreements == (Agreement(1, "FTA", ("USA", "EU"), cut=0.5),)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'value'"):
        scenario.changes[0].value = 1  # type: ignore[misc]


def test_defaults() -> None:
    scenario = scenario_from_dict(document({"description": "x", "importers": "all", "except_exporters": ["CHN"],
                                            "scale": 2}))
    (change,) = scenario.changes
    assert (change.importers, change.exporters, change.sectors) == (("all",), ("all",), ("all",))
    assert (scenario.net_exports, scenario.world, scenario.source) == ("fixed", None, "")


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "unclosed\n')
    with pytest.raises(ScenarioError, match=r"bad\.toml: not a valid TOML file.*line 1"):
        load_scenario(bad)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({**CAR_TARIFF, "importer": ["USA"]},
         r"<dict>, \[\[change\]\] #1 \('US cars'\): unknown key 'importer'\. Did you mean 'importers'"),
        ({**CAR_TARIFF, "add_point": 25},
         r"\[\[change\]\] #1 \('US cars'\): unknown key 'add_point'\. Did you mean 'add_points'"),
        ({k: v for k, v in CAR_TARIFF.items() if k != "description"},
         r"\[\[change\]\] #1: description is missing"),
        ({**CAR_TARIFF, "description": "  "}, r"description = '  ': description must be text"),
        ({k: v for k, v in CAR_TARIFF.items() if k != "add_points"},
         r"#1 \('US cars'\): give exactly one of add_points.*it has none"),
        ({**CAR_TARIFF, "scale": 2}, r"#1 \('US cars'\): give exactly one of .*it has add_points and scale"),
        ({**CAR_TARIFF, "add_points": "25"}, r"add_points = '25': add_points must be a number"),
        ({**CAR_TARIFF, "add_points": True}, r"add_points = True: add_points must be a number"),
        ({**CAR_TARIFF, "add_points": float("nan")}, r"add_points must be a number"),
        ({"description": "x", "importers": ["USA"], "exporters": ["JPN"], "set_percent": -100},
         r"set_percent = -100: a tariff must be above -100%"),
        ({"description": "x", "importers": ["USA"], "exporters": ["JPN"], "scale": -1},
         r"scale = -1: a scale factor must be 0 or more"),
        ({k: v for k, v in CAR_TARIFF.items() if k != "exporters"}, r"'US cars'\): exporters is missing"),
        ({**CAR_TARIFF, "importers": []}, r"importers = \[\]: the list is empty"),
        ({**CAR_TARIFF, "importers": ["USA", 3]}, r"importers = \['USA', 3\]: give a name or a list"),
        ({**CAR_TARIFF, "exporters": ["all", "JPN"]}, r"\"all\" stands alone.*except_exporters"),
        ({**CAR_TARIFF, "source": 3}, r"source = 3: source must be text"),
    ],
)
def test_change_errors_name_the_change_key_and_value(change: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_dict(document(change))


def test_errors_count_changes_from_one_and_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "war.toml"
    path.write_text('title = "t"\ndescription = "d"\n[[change]]\ndescription = "ok"\nimporters = "USA"\n'
                    'exporters = "JPN"\nadd_points = 1\n[[change]]\ndescription = "Japan hits back"\n'
                    'importers = "JPN"\nexporters = "USA"\nsectors = "agrifood"\nadd_points = "25%"\n')
    with pytest.raises(ScenarioError, match=r"war\.toml, \[\[change\]\] #2 \('Japan hits back'\): "
                                            r"add_points = '25%': add_points must be a number"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("agreement", "match"),
    [
        ({"description": "FTA", "member": ["USA", "JPN"]}, r"\[\[agreement\]\] #1 \('FTA'\): unknown key "
                                                           r"'member'\. Did you mean 'members'"),
        ({"description": "FTA"}, r"\[\[agreement\]\] #1 \('FTA'\): members is missing"),
        ({"description": "FTA", "members": ["USA", "usa"]}, r"members = \['USA', 'usa'\]: .*at least two"),
        ({"description": "FTA", "members": ["USA", "JPN"], "cut": 0}, r"cut = 0: give the fraction"),
        ({"description": "FTA", "members": ["USA", "JPN"], "cut": 1.5}, r"cut = 1.5: give the fraction"),
        ({"description": "FTA", "members": ["USA", "JPN"], "cut": "half"}, r"cut = 'half': cut must be a number"),
        ({"members": ["USA", "JPN"]}, r"\[\[agreement\]\] #1: description is missing"),
    ],
)
def test_agreement_errors(agreement: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_dict(document(agreements=(agreement,)))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (document(CAR_TARIFF, titel="x"), r"<dict>: unknown key 'titel'\. Did you mean 'title'"),
        (document(CAR_TARIFF, changes=[]), r"unknown key 'changes'\. Did you mean 'change'"),
        ({"description": "d", "change": [CAR_TARIFF]}, r"<dict>: title is missing"),
        (document(CAR_TARIFF, net_exports="balanced"), r"net_exports = 'balanced': write \"fixed\""),
        (document(CAR_TARIFF, world=7), r"world = 7: world must be text"),
        (document(), r"changes nothing: add at least one \[\[change\]\]"),
        ({"title": "t", "description": "d", "change": CAR_TARIFF}, r"start each one with \[\[change\]\]"),
        (["not", "a", "table"], r"a scenario is a table of keys, not list"),
    ],
)
def test_top_level_errors(data: object, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        scenario_from_dict(data)  # type: ignore[arg-type]


def test_placeholders_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "draft.toml"
    path.write_text(
        'title = "Draft"\ndescription = "from the news"\nnet_exports = "?"\n'
        '[[change]]\ndescription = "US cars"\nimporters = ["USA"]\nexporters = ["JPN"]\nsectors = ["mvh"]\n'
        'add_points = "TODO"\n'
        '[[change]]\ndescription = "todo"\nimporters = ["JPN"]\nexporters = ["USA", "?"]\nscale = 0.5\n'
        '[[agreement]]\ndescription = "deal"\nmembers = ["USA", "JPN"]\ncut = " todo "\n'
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "draft.toml: 5 open placeholder(s)" in message
    assert "top level: net_exports = '?'" in message
    assert "[[change]] #2: description = 'todo'" in message
    assert "[[change]] #1 ('US cars'): add_points = 'TODO'" in message
    assert "[[change]] #2: exporters = ['USA', '?']" in message
    assert "[[agreement]] #1 ('deal'): cut = ' todo '" in message


def test_placeholders_are_reported_before_other_problems() -> None:
    with pytest.raises(ScenarioError, match=r"1 open placeholder.*\n.*set_percent = 'TODO'"):
        scenario_from_dict(document({**CAR_TARIFF, "set_percent": "TODO", "colour": "red"}))
