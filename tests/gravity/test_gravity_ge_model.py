"""The gravity_ge model on the one contract: the book's NAFTA experiment through ``solve``, a scenario's
trade-cost change, refusals by name, the one long table and JSON, compiled code reused across solves."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import DataValidationError, OptionError, ScenarioError
from tariffsim.gravity import experiments, ge
from tariffsim.models import get_model
from tariffsim.models.gravity_ge import GravityGE
from tariffsim.policy import Policy
from tariffsim.results import HEADLINE, group_table, to_json_dict
from tariffsim.scenario import scenario_from_dict
from tariffsim.solve import newton, solve
from tariffsim.synthetic import random_world

# Percent changes of the full endowment GE without NAFTA (RTA = 0 among CAN, MEX, USA; 2006, sigma = 7,
# reference DEU, multiplicative imbalances), as the numpy stack computed them before the move onto the
# model contract (commit 069f89b). On the same trade costs the new solve agrees to ~1e-12 percentage points;
# the trade costs themselves vary from one Python process to the next by up to ~1e-6 points of these
# changes (pyfixest's recovery of the pair fixed effects depends on the hash seed), hence abs=1e-5.
NAFTA_BEFORE = {
    "CAN": {"real_gdp": -3.2842501745807384, "welfare": -3.278795729988271,
            "factory_gate_price": -2.2305182739188356, "exports": -27.27307224474329, "inward_mr": 1.0895142751454534},
    "MEX": {"real_gdp": -2.976038999161479, "welfare": -2.9705671724902905,
            "factory_gate_price": -2.7096987155776686, "exports": -26.940322533380424, "inward_mr": 0.2745098023585246},
    "USA": {"real_gdp": -0.3810218085519179, "welfare": -0.3754036315964049,
            "factory_gate_price": -0.16360417624197154, "exports": -15.141433109602653,
            "inward_mr": 0.21824920939472747},
    "CHN": {"real_gdp": 0.00698121693534226, "welfare": 0.012621275962887424,
            "factory_gate_price": 0.04072718655794283, "exports": 0.17032194660815403,
            "inward_mr": 0.03374361390768854},
}


@pytest.fixture(scope="module")
def nafta(yotov):
    return experiments.nafta(yotov("Chapter2Application2"))


@pytest.fixture(scope="module")
def nafta_world(nafta):
    return ge.world(nafta.economy, ge.baseline(nafta.economy, "DEU"))


def test_nafta_goes_through_solve_and_keeps_its_numbers(nafta):
    result = ge.counterfactual(nafta.economy, nafta.T_new, reference="DEU")
    eq = result.equilibrium
    assert isinstance(eq, Equilibrium) and isinstance(eq.model, GravityGE) and eq.method == "newton"
    assert (eq.model.kind, eq.model.imbalance, eq.model.reference) == ("full", "multiplicative", "DEU")
    assert eq.max_residual <= 1e-10 and len(eq.residuals) == 5 * 69 + 1
    change = result.change_percent()
    for country, expected in NAFTA_BEFORE.items():
        k = result.countries.index(country)
        for variable, value in expected.items():
            assert change[ge.VARIABLES.index(variable), k] == pytest.approx(value, rel=0, abs=1e-5), (country,
                                                                                                          variable)
    # the contract's outcome: w_hat = factory-gate price, price index = inward MR, welfare = E_hat / P_hat
    np.testing.assert_allclose(eq.w_hat, result.counterfactual.p, rtol=1e-15)
    np.testing.assert_allclose(eq.price_index_hat, eq.P_hat, rtol=1e-14)
    np.testing.assert_allclose(eq.welfare_hat, eq.E_hat / eq.P_hat, rtol=1e-14)


def test_a_scenario_trade_cost_change_solves_and_equals_the_estimation_route(nafta, nafta_world):
    """``trade_cost_points = 10`` on US imports from China, as a scenario on the NAFTA baseline world,
    gives the same equilibrium as ``counterfactual`` with T' = T * 1.1^(1-sigma) on that pair."""
    scenario = scenario_from_dict({"title": "US barrier on Chinese goods", "description": "10 points on CHN -> USA",
                                   "change": [{"description": "barrier", "importers": ["USA"], "exporters": ["CHN"],
                                               "trade_cost_points": 10}]})
    policy = scenario.apply(nafta_world)
    assert policy.instruments_used(nafta_world) == ("trade_cost_hat",)
    for kind in ("full", "conditional"):
        model = GravityGE(kind=kind, reference="DEU")
        by_scenario = solve(model, model.calibrate(nafta_world), policy)
        economy = nafta.economy
        T_new = economy.T.copy()
        T_new[economy.index("CHN"), economy.index("USA")] *= 1.1 ** (1 - economy.sigma)
        by_costs = ge.counterfactual(economy, T_new, reference="DEU", kind=kind)
        np.testing.assert_allclose(by_scenario.trade, by_costs.equilibrium.trade, rtol=1e-12)
        np.testing.assert_allclose(by_scenario.P_hat, by_costs.equilibrium.P_hat, rtol=1e-12)
        flow = by_scenario.trade[:, :, 0] / nafta_world.trade[:, :, 0]
        assert flow[economy.index("CHN"), economy.index("USA")] == flow.min() < 1


def test_one_model_for_every_reference_kind_and_imbalance(nafta, nafta_world):
    """Real results do not depend on the reference; the compiled solver is reused for other references,
    elasticities and shocks (it is compiled once per kind, imbalance and number of countries)."""
    policy = ge.trade_cost_policy(nafta.economy, nafta.T_new)
    by_deu = GravityGE(reference="DEU").solve(GravityGE(reference="DEU").calibrate(nafta_world), policy)
    compiled = newton._cache_size()
    usa = GravityGE(reference="USA")
    by_usa = usa.solve(usa.calibrate(nafta_world), policy)
    other_sigma = nafta_world.replace(sigma=[5.0])
    usa.solve(usa.calibrate(other_sigma), policy.replace(trade_cost_hat=policy.trade_cost_hat ** 2))
    assert newton._cache_size() == compiled
    np.testing.assert_allclose(by_usa.welfare_hat / by_deu.welfare_hat, 1, atol=1e-11)
    np.testing.assert_allclose(by_usa.trade, by_deu.trade * by_usa.w_hat.mean() / by_deu.w_hat.mean(), rtol=1e-9)
    assert by_usa.P_hat[nafta_world.country_index("USA")] == pytest.approx(1, abs=1e-13)


def test_long_table_json_and_headline_come_from_the_declaration(nafta):
    result = ge.counterfactual(nafta.economy, nafta.T_new, reference="DEU", kind="conditional")
    frame = result.to_frame()
    countries = set(frame.loc[frame.level == "country", "variable"])
    assert set(ge.VARIABLES) | {"exports_new", "imports_new", "output_new", "expenditure_new"} <= countries
    assert set(frame.loc[frame.level == "bilateral", "variable"]) == {"flow", "flow_new"}
    document = to_json_dict(result.equilibrium)
    assert (document["schema"], document["model"]) == ("tariffsim.equilibrium", "gravity_ge")
    assert set(document["variables"]["country"]) == countries and len(document["results"]) == len(frame)
    headline = group_table(result.equilibrium, HEADLINE)
    assert {"real GDP", "welfare", "factory-gate price", "inward MR", "exports", "imports"} == set(headline.columns)
    conditional = result.country_table().pivot(index="country", columns="variable", values="change_percent")
    np.testing.assert_array_equal(conditional[["output", "expenditure", "factory_gate_price"]], 0.0)


def test_get_model_and_refusals_by_name():
    world = random_world(3, 1, seed=1, max_tariff=0.0)
    model = get_model("gravity_ge", kind="conditional", reference=world.countries[1])
    assert isinstance(model, GravityGE) and model.reference_index(world) == 1
    calibration = model.calibrate(world)
    with pytest.raises(ScenarioError, match="the gravity_ge model does not support net_exports"):
        model.solve(calibration, Policy(world.tariffs, "zero"))
    with pytest.raises(DataValidationError, match="one-sector model; the world has 2 sectors"):
        model.calibrate(random_world(3, 2, seed=1, max_tariff=0.0))
    with pytest.raises(DataValidationError, match="the gravity_ge model has no tariffs"):
        model.calibrate(random_world(3, 1, seed=1, max_tariff=0.2))
    with pytest.raises(OptionError, match="kind='partial' is not one of 'conditional', 'full'"):
        GravityGE(kind="partial")
    with pytest.raises(OptionError, match="imbalance='none' is not one of 'multiplicative', 'additive'"):
        GravityGE(imbalance="none")
    with pytest.raises(OptionError, match="no welfare decomposition"):
        model.solve(calibration, Policy.baseline(world)).decomposition_pct
    with pytest.raises(OptionError, match="needs welfare gradients"):
        model.require_gradients("optimal tariffs")
