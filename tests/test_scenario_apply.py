"""Applying scenarios to the demo world: exact cubes, name resolution, contradictions, describe."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim.errors import ScenarioError
from tariffsim.policy import Policy
from tariffsim.scenario import scenario_from_dict
from tariffsim.synthetic import demo_world

WORLD = demo_world()
USA, JPN, CHN, EU, ROW = range(5)
GRO, OFD, I_S, MVH, ELE, OME = range(6)
BASE = WORLD.tariffs


def apply(*changes: dict, agreements: tuple[dict, ...] = (), **top: object) -> Policy:
    return scenario_from_dict(
        {"title": "test", "description": "d", **top, "change": list(changes), "agreement": list(agreements)}
    ).apply(WORLD)


def change(importers: object, exporters: object, **rest: object) -> dict:
    return {"description": rest.pop("description", "c"), "importers": importers, "exporters": exporters, **rest}


def with_cells(values: dict[tuple[int, int, int], float]) -> np.ndarray:
    cube = BASE.copy()
    for cell, value in values.items():
        cube[cell] = value
    return cube


def test_add_points_on_one_cell_is_exact_and_returns_a_policy() -> None:
    policy = apply(change(["USA"], ["JPN"], sectors=["mvh"], add_points=25), net_exports="zero")
    np.testing.assert_array_equal(policy.tariffs, with_cells({(JPN, USA, MVH): BASE[JPN, USA, MVH] + 0.25}))
    assert (policy.name, policy.net_exports) == ("test", "zero")


def test_names_may_be_long_names_aliases_and_groups() -> None:
    by_code = apply(change(["USA"], ["JPN", "CHN"], sectors=["gro", "ofd"], set_percent=10))
    by_name = apply(change("US", ["Japan", "china"], sectors="agrifood", set_percent=10))
    np.testing.assert_array_equal(by_code.tariffs, by_name.tariffs)


def test_set_percent_and_scale() -> None:
    policy = apply(change(["EU"], ["CHN"], sectors=["ele", "ome"], set_percent=10),
                   change(["CHN"], ["EU"], sectors=["ele"], scale=0.5))
    expected = with_cells({(CHN, EU, ELE): 0.10, (CHN, EU, OME): 0.10,
                           (EU, CHN, ELE): 0.5 * BASE[EU, CHN, ELE]})
    np.testing.assert_allclose(policy.tariffs, expected, rtol=0, atol=1e-15)


def test_except_lists_and_defaults() -> None:
    policy = apply(change(["USA"], "all", except_exporters=["CHN"], except_sectors=["manufactures"],
                          add_points=5))
    expected = BASE.copy()
    for exporter in (JPN, EU, ROW):
        for sector in (GRO, OFD):
            expected[exporter, USA, sector] += 0.05
    np.testing.assert_allclose(policy.tariffs, expected, rtol=0, atol=1e-15)
    every_importer = apply({"description": "all but the EU raise on China", "except_importers": ["EU"],
                            "exporters": ["CHN"], "add_points": 1})
    raised = every_importer.tariffs - BASE
    assert np.allclose(raised[CHN, [USA, JPN, ROW], :], 0.01)
    assert np.count_nonzero(raised) == 3 * 6


def test_own_cells_are_never_changed() -> None:
    policy = apply(change("all", "all", set_percent=30))
    own = np.arange(5)
    assert not policy.tariffs[own, own, :].any()
    off = ~np.eye(5, dtype=bool)
    assert np.all(policy.tariffs[off] == 0.30)


def test_agreement_removes_or_cuts_baseline_tariffs_among_members() -> None:
    fta = apply(agreements=({"description": "FTA", "members": ["USA", "JPN"], "except_sectors": ["agriculture"]},))
    expected = BASE.copy()
    expected[JPN, USA, OFD:] = 0.0
    expected[USA, JPN, OFD:] = 0.0
    np.testing.assert_array_equal(fta.tariffs, expected)
    half = apply(agreements=({"description": "half", "members": ["USA", "JPN", "EU"], "sectors": ["mvh"],
                              "cut": 0.5},))
    expected = BASE.copy()
    for i in (USA, JPN, EU):
        for j in (USA, JPN, EU):
            expected[i, j, MVH] *= 0.5
    np.testing.assert_allclose(half.tariffs, expected, rtol=1e-15)


def test_changes_compose_in_file_order() -> None:
    cell = (JPN, USA, MVH)
    raise_then_halve = apply(change("USA", "JPN", sectors="mvh", add_points=10),
                             change("USA", "JPN", sectors="mvh", scale=0.5))
    halve_then_raise = apply(change("USA", "JPN", sectors="mvh", scale=0.5),
                             change("USA", "JPN", sectors="mvh", add_points=10))
    assert raise_then_halve.tariffs[cell] == pytest.approx((BASE[cell] + 0.10) * 0.5, abs=1e-15)
    assert halve_then_raise.tariffs[cell] == pytest.approx(BASE[cell] * 0.5 + 0.10, abs=1e-15)
    set_then_add = apply(change("USA", "JPN", sectors="mvh", set_percent=2.5),
                         change("USA", "JPN", sectors="mvh", add_points=25))
    assert set_then_add.tariffs[cell] == pytest.approx(0.275, abs=1e-15)


def test_agreements_apply_before_changes() -> None:
    policy = apply(change("USA", "JPN", sectors="mvh", add_points=25),
                   agreements=({"description": "FTA", "members": ["USA", "JPN"]},))
    assert policy.tariffs[JPN, USA, MVH] == pytest.approx(0.25, abs=1e-15)
    assert policy.tariffs[USA, JPN, MVH] == 0.0


def test_a_later_level_may_override_part_of_an_earlier_change() -> None:
    policy = apply(change("USA", "all", add_points=10),
                   change("USA", "JPN", sectors="mvh", set_percent=25))
    assert policy.tariffs[JPN, USA, MVH] == pytest.approx(0.25, abs=1e-15)
    assert policy.tariffs[JPN, USA, ELE] == pytest.approx(BASE[JPN, USA, ELE] + 0.10, abs=1e-15)


def test_the_same_level_stated_twice_is_allowed() -> None:
    policy = apply(change(["USA"], ["JPN"], set_percent=0),
                   agreements=({"description": "FTA", "members": ["USA", "JPN", "EU"]},))
    assert not policy.tariffs[[JPN, EU], USA, :].any()


# ----------------------------------------------------------------------------------------- errors
# World's suggestions currently spell names in lower case ('japan', 'jpn'), hence (?i:...) below.
@pytest.mark.parametrize(
    ("step", "match"),
    [
        (change(["JAP"], ["CHN"], description="cars", add_points=1),
         r"<dict>, \[\[change\]\] #1 \('cars'\): importers = \['JAP'\]: unknown country 'JAP'\. "
         r"Did you mean '(?i:japan)' or '(?i:jpn)'"),
        (change(["USA"], ["Chinaa"], description="cars", add_points=1),
         r"exporters = \['Chinaa'\]: unknown country 'Chinaa'\. Did you mean '(?i:china)'"),
        (change("USA", "JPN", sectors=["mvhh"], description="cars", add_points=1),
         r"\('cars'\): sectors = \['mvhh'\]: unknown sector or sector group 'mvhh'\. Did you mean 'mvh'"),
        (change("USA", "JPN", except_sectors=["agricultur"], description="cars", add_points=1),
         r"except_sectors = \['agricultur'\]: .*Did you mean 'agriculture'"),
        (change("USA", "USA", description="self", add_points=1),
         r"\('self'\): selects no tariff: the only importer and exporter left is USA.*never levies"),
        (change(["USA"], ["JPN"], except_importers=["US"], description="none", add_points=1),
         r"\('none'\): selects no tariff: importers = \['USA'\] minus except_importers = \['US'\] leaves nothing"),
        (change("USA", "JPN", sectors="agrifood", except_sectors="all", description="x", add_points=1),
         r"sectors = \['agrifood'\] minus except_sectors = \['all'\] leaves nothing"),
        (change("USA", "JPN", description="subsidy", add_points=-200),
         r"\('subsidy'\): makes the tariff on exporter JPN, importer USA, sector gro -1\d\d\.?\d*%, at or below "
         r"-100%"),
    ],
)
def test_apply_errors_name_the_change(step: dict, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        apply(step)


def test_unknown_member_of_an_agreement() -> None:
    with pytest.raises(ScenarioError, match=r"\[\[agreement\]\] #1 \('FTA'\): members = \['USA', 'Japn'\]: "
                                            r"unknown country 'Japn'\. Did you mean '(?i:japan)'"):
        apply(agreements=({"description": "FTA", "members": ["USA", "Japn"]},))


def test_two_different_levels_for_one_tariff_are_a_contradiction() -> None:
    with pytest.raises(ScenarioError, match=r"\[\[change\]\] #2 \('cars 25'\): sets the tariff on exporter JPN, "
                                            r"importer USA, sector mvh to 25%, but \[\[change\]\] #1 "
                                            r"\('cars 10'\) already sets it to 10%"):
        apply(change("USA", "all", sectors="vehicles", set_percent=10, description="cars 10"),
              change("USA", "JPN", sectors="mvh", set_percent=25, description="cars 25"))


def test_agreement_and_level_contradict() -> None:
    with pytest.raises(ScenarioError, match=r"\[\[change\]\] #1 \('keep cars'\): sets the tariff on exporter "
                                            r"JPN, importer USA, sector mvh to 2.5%, but \[\[agreement\]\] #1 "
                                            r"\('FTA'\) already sets it to 0%"):
        apply(change("USA", "JPN", sectors="mvh", set_percent=2.5, description="keep cars"),
              agreements=({"description": "FTA", "members": ["USA", "JPN"]},))
    with pytest.raises(ScenarioError, match=r"\[\[agreement\]\] #2 \('half'\): sets .* but \[\[agreement\]\] #1"):
        apply(agreements=({"description": "FTA", "members": ["USA", "JPN"]},
                          {"description": "half", "members": ["USA", "JPN", "EU"], "cut": 0.5}))


def test_a_change_overwritten_everywhere_is_an_error() -> None:
    with pytest.raises(ScenarioError, match=r"\[\[change\]\] #1 \('raise'\): has no effect: later changes set "
                                            r"a new level .*\[\[change\]\] #2 \('level'\) on exporter JPN"):
        apply(change("USA", "JPN", sectors="mvh", add_points=5, description="raise"),
              change("USA", ["JPN", "CHN"], sectors="vehicles", set_percent=10, description="level"))


# --------------------------------------------------------------------------------------- describe
def test_describe_summarises_each_step_in_order() -> None:
    scenario = scenario_from_dict({
        "title": "t", "description": "d",
        "agreement": [{"description": "FTA", "members": ["USA", "JPN"], "cut": 0.5, "source": "assumption"}],
        "change": [change("USA", "JPN", sectors="mvh", add_points=25, description="cars")],
    })
    table = scenario.describe(WORLD)
    assert list(table["step"]) == ["agreement 1", "change 1"]
    assert list(table["action"]) == ["tariffs cut by 50%", "+25 points"]
    assert list(table["source"]) == ["assumption", ""]
    assert list(table["cells"]) == [2 * 6, 1]
    cars = table.iloc[1]
    assert cars["trade"] == pytest.approx(WORLD.trade[JPN, USA, MVH])
    assert cars["mean_tariff_before"] == pytest.approx(50 * BASE[JPN, USA, MVH])
    assert cars["mean_tariff_after"] == pytest.approx(50 * BASE[JPN, USA, MVH] + 25)
    fta = table.iloc[0]
    flows = np.concatenate([WORLD.trade[JPN, USA], WORLD.trade[USA, JPN]])
    rates = np.concatenate([BASE[JPN, USA], BASE[USA, JPN]])
    assert fta["trade"] == pytest.approx(flows.sum())
    assert fta["mean_tariff_before"] == pytest.approx(100 * np.average(rates, weights=flows))
    assert fta["mean_tariff_after"] == pytest.approx(50 * np.average(rates, weights=flows))


# -------------------------------------------------------------------------------------- properties
countries = st.sets(st.sampled_from(WORLD.countries), min_size=1)
sectors = st.sets(st.sampled_from(WORLD.sectors + tuple(WORLD.sector_groups)), min_size=1)


@settings(max_examples=40, deadline=None)
@given(importers=countries, exporters=countries, sectors=sectors,
       neutral=st.sampled_from([{"add_points": 0}, {"scale": 1}, {"scale": 1.0}]))
def test_neutral_changes_leave_the_cube_unchanged(importers, exporters, sectors, neutral) -> None:
    if importers == exporters and len(importers) == 1:
        importers = importers | {"ROW" if "ROW" not in importers else "USA"}
    policy = apply(change(sorted(importers), sorted(exporters), sectors=sorted(sectors), **neutral))
    np.testing.assert_array_equal(policy.tariffs, BASE)


@settings(max_examples=40, deadline=None)
@given(members=st.sets(st.sampled_from(WORLD.countries), min_size=2), sectors=sectors)
def test_free_trade_zeroes_tariffs_among_members_only(members, sectors) -> None:
    policy = apply(agreements=({"description": "FTA", "members": sorted(members), "sectors": sorted(sectors)},))
    inside = np.zeros(BASE.shape, dtype=bool)
    rows = [WORLD.countries.index(m) for m in members]
    inside[np.ix_(rows, rows, WORLD.sector_indices(sorted(sectors)))] = True
    assert not policy.tariffs[inside].any()
    np.testing.assert_array_equal(policy.tariffs[~inside], BASE[~inside])


def test_free_trade_among_all_countries_zeroes_every_tariff() -> None:
    assert not apply(agreements=({"description": "world FTA", "members": "all"},)).tariffs.any()


@settings(max_examples=40, deadline=None)
@given(points=st.floats(-50, 50), importers=countries)
def test_adding_and_removing_the_same_points_restores_the_baseline(points, importers) -> None:
    policy = apply(change(sorted(importers), "all", add_points=points),
                   change(sorted(importers), "all", add_points=-points))
    np.testing.assert_allclose(policy.tariffs, BASE, rtol=0, atol=1e-15)


@pytest.mark.parametrize(("action", "value", "fix"), [
    ("set_percent", 1e308, "use set_percent = 1e+08 or less"),
    ("add_points", 1e308, "use add_points = "),
    ("add_points", 1e8, "use add_points = "),
    ("scale", 1e308, "use scale = "),
])
def test_a_tariff_above_the_data_readers_limit_is_refused_naming_the_file_step_value_and_fix(action, value, fix):
    step = change(["USA"], ["JPN"], description="huge", **{action: value})
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"title": "t", "description": "d", "change": [step]}, "big.toml").apply(WORLD)
    message = str(caught.value)
    assert message.startswith("big.toml, [[change]] #1 ('huge'): ") and f"{action} = {value:g}" in message
    assert "above 100,000,000% (1e+06 as a fraction)" in message and "already stops all trade" in message
    assert fix in message
    # the value suggested is accepted, and one just above it is not
    largest = float(message.split(f"use {action} = ")[1].split(" ")[0])
    accepted = apply(change(["USA"], ["JPN"], **{action: largest}))
    assert accepted.tariffs.max() <= 1e6 and accepted.tariffs.max() >= 1e6 * (1 - 1e-6)
    with pytest.raises(ScenarioError, match="above 100,000,000%"):
        apply(change(["USA"], ["JPN"], **{action: largest * (1 + 1e-6)}))
