"""Nash tariff wars and cooperative talks on small worlds: best responses, symmetry, efficiency."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import UNRESTRICTED_LOWER, cooperative_tariffs, nash_tariffs, optimal_tariffs, rebase
from tariffsim.models import Armington, Krugman
from tariffsim.policy import Policy
from tariffsim.synthetic import random_world
from tariffsim.world import World


def symmetric_world(sigma=(3.0, 5.0), tariff=0.2) -> World:
    flows = np.array([[8.0, 2.0], [2.0, 8.0]])[:, :, None] * np.array([1.0, 0.5])
    tariffs = np.where(np.eye(2, dtype=bool)[:, :, None], 0.0, tariff) * np.ones((2, 2, len(sigma)))
    return World(["A", "B"], ["s1", "s2"], flows, tariffs, list(sigma))


@pytest.fixture(scope="module")
def small():
    world = random_world(3, 2, seed=21, balanced=True)
    return Krugman().calibrate(world)


@pytest.mark.parametrize("method", ["jacobi", "gauss-seidel"])
def test_nash_is_a_mutual_best_response(small, method):
    war = nash_tariffs(small, method=method, net_exports="zero")
    assert war.rounds[-1].max_change <= 1e-4 and war.max_gain <= 1e-7
    for country in small.world.countries:
        response = optimal_tariffs(small, country, tariffs=war.tariffs, net_exports="zero")
        j = small.world.country_index(country)
        gain = np.log(response.government_welfare_hat[j]) - np.log(war.government_welfare_hat[j])
        assert gain <= 1e-7
        np.testing.assert_allclose(response.tariffs[:, j, :], war.tariffs[:, j, :], atol=2e-3)
    assert war.equilibrium.max_residual <= 1e-10


def test_jacobi_and_gauss_seidel_agree(small):
    a = nash_tariffs(small, method="jacobi", net_exports="zero")
    b = nash_tariffs(small, method="gauss-seidel", net_exports="zero")
    np.testing.assert_allclose(a.government_welfare_hat, b.government_welfare_hat, atol=1e-5)  # 0.001 points


def test_symmetric_war_gives_symmetric_tariffs():
    calibration = Krugman().calibrate(symmetric_world())
    war = nash_tariffs(calibration, net_exports="zero")
    np.testing.assert_allclose(war.tariffs[1, 0, :], war.tariffs[0, 1, :], rtol=1e-4)
    np.testing.assert_allclose(war.government_welfare_hat[0], war.government_welfare_hat[1], rtol=1e-8)
    assert np.all(war.government_welfare_hat < 1)  # a tariff war hurts both symmetric players


def test_war_between_two_leaves_the_others_alone(small):
    war = nash_tariffs(small, players=["C000", "C002"], net_exports="zero")
    np.testing.assert_array_equal(war.tariffs[:, 1, :], small.world.tariffs[:, 1, :])
    assert war.players == ("C000", "C002")


def test_nash_reports_non_convergence(small):
    with pytest.raises(ConvergenceError, match=r"not converged after 1 rounds.*largest tariff change"):
        nash_tariffs(small, max_rounds=1, net_exports="zero")
    with pytest.raises(OptionError, match="jacobi"):
        nash_tariffs(small, method="newton")


def test_talks_between_symmetric_armington_countries_reach_free_trade():
    """Perfect competition, welfare-maximising governments, no subsidies: free trade is the efficient
    symmetric outcome, so talks from 20% tariffs end at zero with equal gains."""
    calibration = Armington().calibrate(symmetric_world())
    talks = cooperative_tariffs(calibration, net_exports="zero")
    np.testing.assert_allclose(talks.tariffs, 0.0, atol=1e-6)
    assert talks.equal_gain_residual <= 1e-8 and talks.common_gain_pct > 0
    free_trade = Armington().solve(calibration, Policy(np.zeros_like(talks.tariffs), "zero"))
    np.testing.assert_allclose(talks.government_welfare_hat, free_trade.welfare_hat, rtol=1e-8)


@pytest.mark.parametrize("mfn", [False, True])
def test_talks_equalise_gains_and_beat_the_war(small, mfn):
    war = nash_tariffs(small, mfn=mfn, net_exports="zero")
    rebased = Krugman().calibrate(rebase(small.world, war.tariffs, net_exports="zero"))
    talks = cooperative_tariffs(rebased, mfn=mfn, net_exports="zero")
    assert talks.equal_gain_residual <= 1e-8 and talks.kkt_residual <= 1e-5
    assert talks.common_gain_pct > 0  # everyone gains relative to the trade war
    if mfn:
        for j in range(3):
            column = np.delete(talks.tariffs[:, j, :], j, axis=0)
            assert np.all(column == column[0])


def test_unrestricted_talks_may_subsidise(small):
    restricted = cooperative_tariffs(small, net_exports="zero")
    unrestricted = cooperative_tariffs(small, lower=UNRESTRICTED_LOWER, net_exports="zero")
    assert restricted.tariffs.min() >= 0 and unrestricted.common_gain_pct >= restricted.common_gain_pct - 1e-9


def test_bargaining_solution_beats_the_threat_and_maximises_the_nash_product(small):
    from tariffsim.games import bargain

    result = bargain(small, ("C000", "C002"), frontier_points=3, net_exports="zero")
    threat = result.threat.government_welfare_hat[[0, 2]]
    solution = result.solution.government_welfare_hat[[0, 2]]
    assert np.all(solution > threat)
    np.testing.assert_array_equal(result.threat.tariffs[:, 1, :], small.world.tariffs[:, 1, :])
    # the war is bilateral: C000's tariffs on C001 are untouched
    np.testing.assert_array_equal(result.threat.tariffs[1, 0, :], small.world.tariffs[1, 0, :])
    product = np.prod(solution - threat)
    gains_first = [d.government_welfare_hat[0] for d in result.frontier]
    gains_second = [d.government_welfare_hat[2] for d in result.frontier]
    assert np.all(np.diff(gains_first) >= -1e-10) and np.all(np.diff(gains_second) <= 1e-10)
    for deal in result.frontier:
        assert np.prod(deal.government_welfare_hat[[0, 2]] - threat) <= product * (1 + 1e-7)
    assert result.equilibrium.max_residual <= 1e-10


def test_talks_restart_from_the_feasible_baseline_when_the_default_start_stalls(small):
    """From Ossa's default start, restricted MFN talks on this world stall at unequal gains; the
    baseline tariffs (all gains zero) are always feasible, and from there equal gains are reached."""
    talks = cooperative_tariffs(small, mfn=True, net_exports="zero")
    assert talks.equal_gain_residual <= 1e-8 and talks.kkt_residual <= 1e-5
    assert talks.common_gain_pct > 0
