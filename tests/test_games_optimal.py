"""Welfare gradients and optimal tariffs: finite differences, closed form, optimality.

Table 3 computed by the optimiser from the data is checked in tests/test_replicate_ossa2014.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import OptionError
from tariffsim.games import optimal_tariffs
from tariffsim.games.gradients import government_welfare_gradient
from tariffsim.models import Armington, CaliendoParro, Krugman
from tariffsim.policy import Policy
from tariffsim.synthetic import random_io_world, random_world
from tariffsim.world import World


GRADIENT_CASES = [
    # model, calibrated world, finite-difference step (equilibria are solved to 1e-13: caliendo_parro's
    # inner fixed points make a 1e-6 step measure rounding, so it gets a larger one)
    (Krugman(), lambda: random_world(4, 3, seed=12), 1e-6),
    (Armington(), lambda: random_world(4, 3, seed=12), 1e-6),
    (CaliendoParro(), lambda: random_io_world(3, 2, seed=5), 1e-4),  # forward-mode implicit derivatives
]


@pytest.mark.parametrize("model, make_world, step", GRADIENT_CASES, ids=lambda case: getattr(case, "name", ""))
def test_welfare_gradient_matches_finite_differences(model, make_world, step):
    calibration = model.calibrate(make_world())
    world = calibration.world
    n, s = world.n_countries, world.n_sectors
    weights = np.random.default_rng(1).uniform(0.5, 1.5, (n, s))
    g_hat, gradient = government_welfare_gradient(calibration, weights=weights)
    np.testing.assert_allclose(g_hat, model.solve(calibration, Policy(world.tariffs)).government_welfare_hat(weights))
    for cell in [(0, 1, 0), (2, 0, 1), (1, 2, s - 1), (n - 1, 0, 1)]:
        plus, minus = world.tariffs.copy(), world.tariffs.copy()
        plus[cell] += step
        minus[cell] -= step
        difference = (model.solve(calibration, Policy(plus)).government_welfare_hat(weights)
                      - model.solve(calibration, Policy(minus)).government_welfare_hat(weights)) / (2 * step)
        np.testing.assert_allclose(gradient[(slice(None), *cell)], difference, rtol=1e-5, atol=1e-9)
    own = np.arange(n)
    assert np.all(gradient[:, own, own, :] == 0)


@pytest.mark.parametrize("sigma, domestic_share", [(2.0, 0.9), (4.0, 0.6), (6.0, 0.75)])
def test_two_country_optimal_tariff_has_the_closed_form(sigma, domestic_share):
    """Armington, one sector, symmetric countries: t* = 1 / ((sigma - 1) * lambda_FF) (Gros 1987;
    Costinot and Rodriguez-Clare 2014), lambda_FF = the foreign country's domestic share at the optimum."""
    flows = np.array([[domestic_share, 1 - domestic_share], [1 - domestic_share, domestic_share]])[:, :, None]
    world = World(["H", "F"], ["g"], flows, np.zeros_like(flows), [sigma])
    result = optimal_tariffs(Armington().calibrate(world), "H", net_exports="zero")
    trade = result.equilibrium.trade[:, :, 0]
    foreign_domestic_share = trade[1, 1] / trade[:, 1].sum()  # F levies no tariff
    assert result.chosen[0] == pytest.approx(1 / ((sigma - 1) * foreign_domestic_share), rel=1e-7)
    assert result.kkt_residual < 1e-8


def test_optimum_admits_no_improving_feasible_perturbation():
    world = random_world(4, 3, seed=3, balanced=True)
    calibration = Krugman().calibrate(world)
    result = optimal_tariffs(calibration, "C001", net_exports="zero")
    best = result.government_welfare_hat[1]
    rng = np.random.default_rng(0)
    for _ in range(30):
        cube = result.tariffs.copy()
        cube[[0, 2, 3], 1, :] = np.clip(cube[[0, 2, 3], 1, :] + rng.normal(0, 0.02, (3, 3)), 0, 10)
        trial = Krugman().solve(calibration, Policy(cube, "zero")).welfare_hat[1]
        assert trial <= best + 1e-12
    assert result.kkt_residual < 1e-6 and result.equilibrium.max_residual < 1e-10


def test_mfn_and_restricted_choices():
    world = random_world(4, 3, seed=5, balanced=True)
    calibration = Krugman().calibrate(world)
    mfn = optimal_tariffs(calibration, "C000", mfn=True, net_exports="zero")
    assert len(mfn.chosen) == 3 and all(partner == "*" for partner, _ in mfn.labels)
    column = mfn.tariffs[1:, 0, :]
    assert np.all(column == column[0])
    only = optimal_tariffs(calibration, "C000", partners=["C002"], sectors=["s01"], net_exports="zero")
    assert only.labels == (("C002", "s01"),)
    changed = np.argwhere(only.tariffs != world.tariffs)
    assert all(tuple(c) == (2, 0, 1) for c in changed)
    assert mfn.gain_pct > 0 and only.gain_pct > 0
    with pytest.raises(OptionError, match="MFN tariff applies to every partner"):
        optimal_tariffs(calibration, "C000", mfn=True, partners=["C001"])
