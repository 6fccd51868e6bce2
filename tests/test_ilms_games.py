"""The game engine on the ilms model (issue 15 item 2): the paper's welfare as the games' objective, its
gradient through the equilibrium against finite differences in every variant, and the engine's optimal US
tariff and optimal retaliation against the paper's closed forms (MODEL_ILMS2025.md §6 B4, B5).

B4's closed form is not the maximiser of Ŵ_US in this model (``tariffsim.ilms_games`` says why): the tests
pin the gap, check the engine's optimum beats the formula's tariff on the paper's own welfare, and that
the formula's tariff is not a stationary point of it.
"""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tariffsim import ilms_games
from tariffsim._jax import jnp
from tariffsim.games import _adjoint
from tariffsim.games.world_nash import uniform_control
from tariffsim.ilms_data import read_ilms_data
from tariffsim.ilms_experiments import optimal_retaliation_tariff, optimal_tariff, retaliation, us_tariffs
from tariffsim.models.ilms import Ilms
from tariffsim.policy import Policy

VARIANTS = {"income_tax": Ilms(), "lump_sum": Ilms(revenue_use="lump_sum"), "eaton_kortum": Ilms(eaton_kortum=True),
            "input_output": Ilms(input_output=True)}


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread: the Newton steps' LU on 388 unknowns is 30x slower on two busy threads."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def data(data_dir):
    return read_ilms_data(data_dir / "ilms2025")


@pytest.fixture(scope="module")
def calibration(data):
    return Ilms().calibrate(data)


def _us_log_welfare(calibration, rate):
    """(ln Ŵ_US, d ln Ŵ_US / d rate) at a uniform US tariff ``rate`` on every exporter, through the engine."""
    world = calibration.world
    us = world.country_index("USA")
    game = _adjoint.problem(calibration, ilms_games.no_tariffs(calibration), "fixed", "test")
    value, gradient, _, _, residual = _adjoint.weighted_log_welfare(
        jnp.array([rate]), game.start, **game.kwargs, control=uniform_control(world, us),
        weights=jnp.ones((world.n_countries, 1)), country_weights=jnp.asarray(np.eye(world.n_countries)[us]))
    assert float(residual) <= 1e-10
    return float(value), float(gradient[0])


@pytest.mark.parametrize("variant", VARIANTS)
def test_games_objective_is_the_papers_welfare(data, variant):
    """The kernel's welfare parts give G_hat = Ŵ (§5; final spending with input-output links), and the
    solved equilibrium reports the same G_hat (the games compare the two)."""
    model = VARIANTS[variant]
    calibration = model.calibrate(data)
    equilibrium = model.solve(calibration, Policy(us_tariffs(calibration.world, data.announced)))
    equations = model.equations(calibration, equilibrium.policy)
    g_hat = _adjoint.government_welfare(equations.kernel, jnp.asarray(equilibrium.unknowns), equations.params,
                                        equations.policy, jnp.ones((calibration.world.n_countries, 1)))
    # two code paths to one number: equal up to rounding (1.5e-14 relative seen on one of 194 countries)
    np.testing.assert_allclose(np.asarray(g_hat), equilibrium.W_hat, rtol=1e-13)
    np.testing.assert_allclose(equilibrium.government_welfare_hat(), equilibrium.W_hat, rtol=0)
    assert np.ptp(equilibrium.W_hat) > 0.01  # a shock that moves welfare


def _solved_us_log_welfare(calibration, rate):
    """ln Ŵ_US of the verified solve (``model.solve``) at a uniform US tariff ``rate``."""
    equilibrium = calibration.model.solve(calibration, Policy(us_tariffs(calibration.world, rate)))
    return float(np.log(equilibrium.W_hat[calibration.world.country_index("USA")]))


@pytest.mark.parametrize("variant", VARIANTS)
def test_welfare_gradient_matches_finite_differences(data, variant):
    """d ln Ŵ_US / d t (uniform US tariff) by the adjoint equals central differences of the verified
    solves, at 10% and 30%."""
    calibration = VARIANTS[variant].calibrate(data)
    h = 1e-5
    for rate in (0.1, 0.3):
        _, gradient = _us_log_welfare(calibration, rate)
        difference = (_solved_us_log_welfare(calibration, rate + h)
                      - _solved_us_log_welfare(calibration, rate - h)) / (2 * h)
        assert gradient == pytest.approx(difference, rel=1e-6, abs=1e-10)


def test_us_optimum_against_b4(calibration):
    """The engine's optimal uniform US tariff (verified one-player war) is 25.1%; B4's closed form gives
    21.8%. The formula's tariff is not stationary for Ŵ_US (gradient 0.010 > 0: raising it pays), and the
    engine's optimum gives the US more of the paper's welfare (1.806% against 1.789%)."""
    formula = optimal_tariff(calibration, "expenditure")
    optimum = ilms_games.us_optimum(calibration)
    facts = optimum.facts()
    assert facts["foc_residual"] <= 1e-8 and facts["second_order"] < 0 and facts["max_gain"] <= 1e-7
    assert facts["equilibrium_residual"] <= 1e-10
    engine = float(optimum.tariffs[0])
    assert formula == pytest.approx(0.217988, abs=1e-6)
    assert engine == pytest.approx(0.25116, abs=1e-4)
    value_at_formula, slope_at_formula = _us_log_welfare(calibration, formula)
    assert slope_at_formula == pytest.approx(0.0102, abs=2e-4)
    us = calibration.world.country_index("USA")
    w_engine = optimum.equilibrium.W_hat[us]
    assert np.log(w_engine) > value_at_formula + 1e-4
    assert 100 * (w_engine - 1) == pytest.approx(1.806, abs=1e-3)
    assert 100 * (np.exp(value_at_formula) - 1) == pytest.approx(1.789, abs=1e-3)


def test_tax_relief_limits_name_the_deficit_countries(calibration):
    """At a 50% tariff on all imports the income tax removed would exceed half the income of small deficit
    countries (MHL's transfers are 3.7 times its income); with a lump-sum rebate there is no such limit."""
    limited = ilms_games.tax_relief_limited(calibration, 0.5)
    assert {"MHL", "LBR", "DJI"} <= set(limited) and "USA" not in limited and "CHN" not in limited
    assert len(limited) < 10
    assert ilms_games.tax_relief_limited(Ilms(revenue_use="lump_sum").calibrate(calibration.source), 0.5) == ()


def test_joint_retaliation_against_b5(data, calibration):
    """The non-US countries' jointly optimal tariffs on US goods (IO4's objective in the one-sector model)
    against B5's two-region formula (22.7% on US goods from everyone): mean 23.8%, range 12.8%-50% (the
    bound), and the joint optimum gives the non-US countries more of their weighted welfare than B5."""
    ustr = us_tariffs(calibration.world, data.announced)
    joint = ilms_games.joint_retaliation(calibration, ustr)
    assert joint.kkt_residual <= 1e-5 and joint.equilibrium.max_residual <= 1e-10
    formula = optimal_retaliation_tariff(calibration)
    assert formula == pytest.approx(0.227422, abs=1e-6)
    assert joint.chosen.mean() == pytest.approx(0.2378, abs=5e-4)
    assert joint.chosen.min() == pytest.approx(0.1282, abs=5e-4) and joint.chosen.max() == 0.5
    b5 = calibration.model.solve(calibration, Policy(retaliation(calibration.world, ustr, formula)))
    assert joint.weights @ joint.equilibrium.W_hat > joint.weights @ b5.W_hat
    assert joint.objective == pytest.approx(joint.weights @ joint.equilibrium.W_hat, abs=1e-12)


@pytest.mark.slow
def test_nash_retaliation_against_b5(data, calibration):
    """Every responder's optimal uniform import tariff against USTR and one another (186 players: the seven
    tax-relief-limited countries stay passive), verified by the engine: mean 35.9%, from 17.1% to the 50%
    bound, against B5's single 22.7% on US goods (a tariff on all imports, not on US goods only)."""
    ustr = us_tariffs(calibration.world, data.announced)
    war = ilms_games.nash_retaliation(calibration, ustr).response
    facts = war.facts()
    assert len(war.players) == 186
    assert facts["foc_residual"] <= 1e-8 and facts["max_gain"] <= 1e-7 and facts["second_order"] < 0
    assert war.chosen.mean() == pytest.approx(0.3587, abs=5e-4)
    assert war.chosen.min() == pytest.approx(0.1711, abs=5e-4) and war.chosen.max() == 0.5


def test_per_partner_optimum_of_the_input_output_model_for_io2(data):
    """IO2's problem (§11.3): one US tariff per exporter in [0, 0.25] with input-output links, verified; it
    gives the US more than the best uniform tariff (17.9%), and its last element, ZWE's (17.4%), is the
    uniform tariff the paper applies [QUIRK §15.14]."""
    calibration = Ilms(input_output=True).calibrate(data)
    us = calibration.world.country_index("USA")
    optimum = ilms_games.us_optimum_by_partner(calibration, upper=ilms_games.MPEC_UPPER, start=0.15)
    assert optimum.kkt_residual <= 1e-6 and optimum.equilibrium.max_residual <= 1e-10
    assert optimum.labels[-1] == ("ZWE", "USA") and optimum.chosen.max() < ilms_games.MPEC_UPPER
    assert optimum.chosen[-1] == pytest.approx(0.1744, abs=5e-4)
    uniform = ilms_games.us_optimum(calibration, upper=ilms_games.MPEC_UPPER)
    assert float(uniform.tariffs[0]) == pytest.approx(0.1793, abs=5e-4)
    assert optimum.equilibrium.W_hat[us] > uniform.equilibrium.W_hat[us]
