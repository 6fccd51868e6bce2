"""Iceberg trade-cost changes as a scenario verb (``trade_cost_points``) and as a Policy instrument,
solved by krugman, armington and the one-sector structural-gravity GE."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import ScenarioError
from tariffsim.models import Armington, Krugman
from tariffsim.models.gravity_ge import GravityGE
from tariffsim.policy import Policy
from tariffsim.scenario import scenario_from_dict
from tariffsim.synthetic import random_world

BARRIER = {
    "title": "US non-tariff barrier on Japanese goods",
    "description": "A barrier worth 10 ad-valorem points on everything the US buys from Japan.",
    "change": [{"description": "US barrier on Japanese goods", "importers": ["USA"], "exporters": ["JPN"],
                "trade_cost_points": 10}],
}


def named(world):
    return world.replace(countries=["USA", "JPN", "CHN", "EU"])


def test_trade_cost_points_move_only_the_selected_cells():
    world = named(random_world(4, 3, seed=2))
    policy = scenario_from_dict(BARRIER).apply(world)
    usa, jpn = world.country_index("USA"), world.country_index("JPN")
    expected = np.ones(world.trade.shape)
    expected[jpn, usa, :] = 1.1
    np.testing.assert_array_equal(policy.trade_cost_hat, expected)
    np.testing.assert_array_equal(policy.tariffs, world.tariffs)
    assert policy.instruments_used(world) == ("trade_cost_hat",)


@pytest.mark.parametrize("model", [Krugman(), Armington(), GravityGE(reference="EU")], ids=lambda m: m.name)
def test_a_trade_cost_scenario_solves_and_cuts_the_flow_it_taxes(model):
    world = named(random_world(4, 1 if model.name == "gravity_ge" else 3, seed=2, max_tariff=0.0))
    calibration = model.calibrate(world)
    result = model.solve(calibration, scenario_from_dict(BARRIER).apply(world))
    assert result.max_residual <= 1e-10
    usa, jpn = world.country_index("USA"), world.country_index("JPN")
    flow = result.trade.sum(axis=2) / world.trade.sum(axis=2)
    assert flow[jpn, usa] < 1 and flow[jpn, usa] == flow.min()
    assert result.welfare_hat[jpn] < 1  # Japan's market access shrinks; no tariff revenue for anyone
    # decompositions derived for tariff changes are left out, not reported wrongly
    assert not {"terms_of_trade", "trade_volume"} & set(result.to_frame()["variable"])


@pytest.mark.parametrize("model", [Krugman(), Armington()], ids=lambda m: m.name)
def test_a_trade_cost_is_a_tariff_whose_revenue_is_thrown_away(model):
    """A 25-point barrier and a 25% tariff on the same flow raise its delivered price alike; the tariff
    keeps the money at home as revenue, the barrier wastes it, so the importer prefers the tariff."""
    world = random_world(3, 2, seed=4, balanced=True, max_tariff=0.0)
    calibration = model.calibrate(world)
    cost = np.ones(world.trade.shape)
    cost[0, 1, :] = 1.25
    by_cost = model.solve(calibration, Policy(world.tariffs, "zero", trade_cost_hat=cost))
    tariffs = world.tariffs.copy()
    tariffs[0, 1, :] = 0.25
    by_tariff = model.solve(calibration, Policy(tariffs, "zero"))
    assert by_tariff.welfare_hat[1] > by_cost.welfare_hat[1]
    assert by_cost.tariff_revenue[1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("sigma", [3.0, 8.0])
@pytest.mark.parametrize("model", [Krugman(), Armington()], ids=lambda m: m.name)
def test_prohibitive_trade_costs_give_the_acr_autarky_welfare(model, sigma):
    """One sector, zero tariffs: closing a country by iceberg costs changes its real income by
    lambda_jj^(1/(sigma-1)) (Arkolakis, Costinot and Rodriguez-Clare 2012), no revenue involved."""
    world = random_world(4, 1, seed=3, balanced=True, max_tariff=0.0).replace(sigma=[sigma])
    calibration = model.calibrate(world)
    domestic_share = np.diag(world.trade[:, :, 0]) / world.trade[:, :, 0].sum(axis=0)
    for j in range(world.n_countries):
        cost = np.ones(world.trade.shape)
        cost[:, j, 0] = cost[j, :, 0] = 1e6
        cost[j, j, 0] = 1.0
        result = model.solve(calibration, Policy(world.tariffs, "zero", trade_cost_hat=cost))
        assert result.welfare_hat[j] == pytest.approx(domestic_share[j] ** (1 / (sigma - 1)), rel=1e-6)


def test_trade_cost_points_below_minus_100_are_refused():
    bad = {**BARRIER, "change": [{**BARRIER["change"][0], "trade_cost_points": -100}]}
    with pytest.raises(ScenarioError, match="trade_cost_points"):
        scenario_from_dict(bad)


def test_gravity_ge_refuses_tariff_changes_by_name():
    world = named(random_world(4, 1, seed=2, max_tariff=0.0))
    model = GravityGE(reference="EU")
    with pytest.raises(ScenarioError, match="the gravity_ge model does not support tariffs"):
        model.solve(model.calibrate(world), Policy(world.tariffs + 0.1 * (1 - np.eye(4))[:, :, None]))
