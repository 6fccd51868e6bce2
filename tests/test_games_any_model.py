"""Games run on any model that gives gradients, with the model's own solver settings.

- the user's ``SolverConfig`` reaches every solve inside a game (``nash``), it is not replaced by defaults;
- (welfare gradients through the Caliendo-Parro equilibrium, forward-mode implicit differentiation,
  are checked against finite differences in test_games_optimal.py);
- an optimal tariff and a Nash war on ``caliendo_parro`` are verified optima / mutual best responses;
- a model without gradients is refused by name before any work.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import _adjoint, nash_tariffs, optimal_tariffs
from tariffsim.models import CaliendoParro, Krugman
from tariffsim.models.base import Kernel
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig
from tariffsim.synthetic import random_io_world, random_world


@pytest.fixture(scope="module")
def cp_calibration():
    return CaliendoParro().calibrate(random_io_world(3, 2, seed=5))


def test_the_users_solver_settings_reach_the_solves_inside_nash():
    world = random_world(3, 2, seed=4, balanced=True)
    default = Krugman().calibrate(world)
    war = nash_tariffs(default, players=["C000", "C001"], mfn=True, net_exports="zero")
    assert war.max_gain <= 1e-7
    # A tolerance no equilibrium can meet: if nash used the default model it would succeed as above.
    strict_model = Krugman(solver=SolverConfig(tol=1e-300, fallback=False))
    strict = strict_model.calibrate(world)
    assert _adjoint.problem(strict, world.tariffs, "zero", "nash").config is strict_model.solver
    with pytest.raises(ConvergenceError, match="equilibrium inside the optimal-tariff search of C000 failed"):
        nash_tariffs(strict, players=["C000", "C001"], mfn=True, net_exports="zero")
    # ... and the equilibrium solves themselves carry the user's tolerance in their message
    with pytest.raises(ConvergenceError, match=r"> tolerance 1e-300"):
        strict_model.solve(strict, Policy(world.tariffs))


def test_caliendo_parro_optimal_mfn_tariffs_are_an_optimum(cp_calibration):
    model = cp_calibration.model
    result = optimal_tariffs(cp_calibration, "C000", mfn=True, upper=2.0)
    assert result.kkt_residual <= 1e-6 and result.equilibrium.max_residual <= 1e-10
    assert result.equilibrium.model is model
    assert result.gain_pct > 0  # a large enough country gains from its optimal tariffs
    j = cp_calibration.world.country_index("C000")
    rng = np.random.default_rng(0)
    for _ in range(10):
        trial = result.tariffs.copy()
        trial[:, j, :] = np.clip(trial[:, j, :] + rng.normal(0, 0.02, cp_calibration.world.n_sectors), 0, 2)  # MFN
        trial[j, j, :] = 0
        other = model.solve(cp_calibration, Policy(trial)).government_welfare_hat()[j]
        assert other <= result.government_welfare_hat[j] + 1e-12
    frame = result.to_frame()
    assert frame.loc["C000", "gov. welfare %"] == pytest.approx(result.gain_pct)


def test_caliendo_parro_nash_war_is_a_mutual_best_response(cp_calibration):
    war = nash_tariffs(cp_calibration, players=["C000", "C001"], mfn=True, upper=2.0)
    assert war.max_gain <= 1e-7 and war.equilibrium.max_residual <= 1e-10
    for player in war.players:
        again = optimal_tariffs(cp_calibration, player, tariffs=war.tariffs, mfn=True, upper=2.0)
        j = cp_calibration.world.country_index(player)
        assert np.log(again.government_welfare_hat[j]) - np.log(war.government_welfare_hat[j]) <= 1e-7
    assert set(war.tariff_frame()["importer"]) == {"C000", "C001"}


def test_a_model_without_gradients_is_refused_by_name():
    model = Krugman()
    calibration = model.calibrate(random_world(3, 2, seed=1))

    @dataclasses.dataclass(frozen=True)
    class NoGradients(Krugman):
        def kernel(self) -> Kernel:
            return dataclasses.replace(super().kernel(), gradients=None)

    refused = dataclasses.replace(calibration, model=NoGradients())
    with pytest.raises(OptionError, match="optimal tariffs needs welfare gradients .* the krugman model does not"):
        optimal_tariffs(refused, "C000", mfn=True)
