"""The example scenario files in examples/: they load, and apply to the demo world and to ossa2014."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tariffsim.io import read_ossa
from tariffsim.scenario import load_scenario
from tariffsim.synthetic import demo_world
from tariffsim.world import World

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.toml"))


def example(name: str) -> Path:
    return next(path for path in EXAMPLES if path.name == name)


@pytest.fixture(scope="module")
def ossa(data_dir: Path) -> World:
    return read_ossa(data_dir / "ossa2014")


def test_the_examples_are_there() -> None:
    assert {p.name for p in EXAMPLES} >= {"us_autos_japan.toml", "japan_retaliates.toml", "china_us_20.toml",
                                          "us_japan_fta.toml", "us_japan_fta_half.toml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_applies_to_the_demo_world(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.world == "ossa2014"
    assert all(step.description and step.source for step in scenario.steps)
    world = demo_world()
    policy = scenario.apply(world)
    assert policy.name == scenario.title
    assert moves_something(policy, world)
    assert (scenario.describe(world)["trade"] > 0).all()


def moves_something(policy, world: World) -> bool:
    """The policy changes tariffs or trade costs (the instruments scenario files have), and says so."""
    changed = not np.array_equal(policy.tariffs, world.tariffs) or (
        policy.trade_cost_hat is not None and np.any(policy.trade_cost_hat != 1))
    return changed and set(policy.instruments_used(world)) <= {"tariffs", "trade_cost_hat"}


@pytest.mark.data
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_applies_to_ossa2014(path: Path, ossa: World) -> None:
    policy = load_scenario(path).apply(ossa)
    assert moves_something(policy, ossa)


@pytest.mark.data
def test_car_tariff_on_ossa2014_is_25_points_on_one_cell(ossa: World) -> None:
    policy = load_scenario(example("us_autos_japan.toml")).apply(ossa)
    jpn, usa, mvh = ossa.country_index("JPN"), ossa.country_index("USA"), ossa.sectors.index("mvh")
    changed = np.argwhere(policy.tariffs != ossa.tariffs)
    assert changed.tolist() == [[jpn, usa, mvh]]
    assert policy.tariffs[jpn, usa, mvh] == pytest.approx(ossa.tariffs[jpn, usa, mvh] + 0.25)


@pytest.mark.data
def test_japanese_retaliation_hits_about_the_same_trade_as_the_us_tariff(ossa: World) -> None:
    """The claim in japan_retaliates.toml: equal rates on trade values within 10% of each other."""
    table = load_scenario(example("japan_retaliates.toml")).describe(ossa)
    us_tariff, retaliation = table["trade"]
    assert us_tariff == pytest.approx(56_837, rel=1e-3)
    assert retaliation == pytest.approx(58_600, rel=1e-2)
    assert 0.9 < retaliation / us_tariff < 1.1
