"""The multi-sector GE engine: exact Jacobian, invariants, ACR formula, loud failures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim._jax import jax, jnp
from tariffsim.errors import ConvergenceError, ScenarioError, TariffsimError
from tariffsim.models import Armington, Krugman, get_model
from tariffsim.models import _equations as eq
from tariffsim.models.base import PolicyArrays
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig
from tariffsim.synthetic import random_world
from tariffsim.world import World

MODELS = [Krugman(), Armington()]
small_worlds = st.builds(random_world, st.integers(2, 5), st.integers(1, 4), st.integers(0, 10_000))


def shocked_tariffs(world: World, seed: int) -> np.ndarray:
    """The world's tariffs with random changes of up to +-20 points (kept above -50%)."""
    rng = np.random.default_rng(seed)
    tariffs = np.maximum(world.tariffs + rng.uniform(-0.2, 0.2, world.tariffs.shape), -0.5)
    idx = np.arange(world.n_countries)
    tariffs[idx, idx, :] = 0.0
    return tariffs


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_analytic_jacobian_equals_autodiff(model):
    world = random_world(4, 3, seed=7)
    base = model.calibrate(world).params
    rng = np.random.default_rng(2)
    policy = PolicyArrays(jnp.asarray(shocked_tariffs(world, 1)), jnp.asarray(rng.uniform(0.8, 1.3, world.trade.shape)),
                          jnp.zeros(world.trade.shape), jnp.asarray(world.net_exports * 0.3))
    u = jnp.asarray(rng.normal(0, 0.1, 2 * world.n_countries))
    analytic = eq.jacobian(u, base, policy)
    automatic = jax.jacfwd(eq.residuals)(u, base, policy)
    np.testing.assert_allclose(analytic, automatic, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@settings(max_examples=15, deadline=None)
@given(world=small_worlds)
def test_zero_shock_gives_hats_of_exactly_one(model, world):
    result = model.solve(model.calibrate(world), Policy.baseline(world))
    for hats in (result.w_hat, result.E_hat, result.price_index_sector_hat, result.welfare_hat,
                 result.trade / world.trade):
        np.testing.assert_allclose(hats, 1.0, rtol=0, atol=1e-12)
    assert result.max_residual <= 1e-12


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@settings(max_examples=10, deadline=None)
@given(world=small_worlds, factor=st.floats(1e-3, 1e4), seed=st.integers(0, 1000))
def test_scaling_all_flows_changes_no_hat(model, world, factor, seed):
    tariffs = shocked_tariffs(world, seed)
    scaled = world.with_trade(world.trade * factor)
    a = model.solve(model.calibrate(world), Policy(tariffs))
    b = model.solve(model.calibrate(scaled), Policy(tariffs))
    for name in ("w_hat", "E_hat", "welfare_hat", "price_index_sector_hat"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-9)
    np.testing.assert_allclose(b.trade, a.trade * factor, rtol=1e-9)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@settings(max_examples=10, deadline=None)
@given(world=small_worlds, seed=st.integers(0, 1000), data=st.data())
def test_permuting_countries_and_sectors_permutes_results(model, world, seed, data):
    p = np.array(data.draw(st.permutations(range(world.n_countries))))
    q = np.array(data.draw(st.permutations(range(world.n_sectors))))
    tariffs = shocked_tariffs(world, seed)
    permuted = World(countries=[world.countries[k] for k in p], sectors=[world.sectors[k] for k in q],
                     trade=world.trade[np.ix_(p, p, q)], tariffs=world.tariffs[np.ix_(p, p, q)],
                     sigma=world.sigma[q])
    a = model.solve(model.calibrate(world), Policy(tariffs))
    b = model.solve(model.calibrate(permuted), Policy(tariffs[np.ix_(p, p, q)]))
    np.testing.assert_allclose(b.w_hat, a.w_hat[p], rtol=1e-9)
    np.testing.assert_allclose(b.welfare_hat, a.welfare_hat[p], rtol=1e-9)
    np.testing.assert_allclose(b.trade, a.trade[np.ix_(p, p, q)], rtol=1e-8)


@pytest.mark.parametrize("sigma", [1.5, 3.0, 8.0])
def test_autarky_matches_acr_formula(sigma):
    """One sector, zero tariffs, balanced trade: autarky changes real income by lambda_jj^(1/(sigma-1)).

    Autarky is imposed with prohibitive tariffs on the country's imports and on its exports: with
    balanced trade imposed, import tariffs alone would have to choke exports too through the relative
    wage (Lerner symmetry), which pushes the equilibrium towards infinite relative wages.
    """
    world = random_world(5, 1, seed=3, balanced=True, max_tariff=0.0).replace(sigma=[sigma])
    model = Armington()
    calibration = model.calibrate(world)
    domestic_share = np.diag(world.trade[:, :, 0]) / world.trade[:, :, 0].sum(axis=0)
    for j in range(world.n_countries):
        tariffs = np.zeros_like(world.tariffs)
        tariffs[:, j, 0] = tariffs[j, :, 0] = 1e12  # prohibitive: import shares ~ 1e12^(1 - sigma)
        tariffs[j, j, 0] = 0.0
        result = model.solve(calibration, Policy(tariffs, "zero"))
        assert result.welfare_hat[j] == pytest.approx(domestic_share[j] ** (1 / (sigma - 1)), abs=1e-6)


def test_government_welfare_with_unit_weights_equals_welfare_when_balanced():
    world = random_world(4, 3, seed=5, balanced=True)
    result = Krugman().solve(Krugman().calibrate(world), Policy(shocked_tariffs(world, 3), "zero"))
    np.testing.assert_allclose(result.government_welfare_hat(), result.welfare_hat, rtol=1e-12)
    weights = np.random.default_rng(0).uniform(0.5, 2, (4, 3))
    np.testing.assert_allclose(result.government_welfare_hat(weights * 7.0),
                               result.government_welfare_hat(weights), rtol=1e-12)


def test_decomposition_approximates_small_shocks():
    """The first-order parts add up to the welfare change as the shock goes to zero (balanced trade)."""
    world = random_world(4, 3, seed=11, balanced=True)
    model = Krugman()
    calibration = model.calibrate(world)
    direction = shocked_tariffs(world, 4) - world.tariffs
    gaps = []
    for size in (1e-2, 1e-3):
        result = model.solve(calibration, Policy(world.tariffs + size * direction, "zero"))
        parts = sum(result.decomposition_pct.values())
        gaps.append(np.max(np.abs(parts - 100 * (result.welfare_hat - 1))) / size)
    assert gaps[1] < 0.2 * gaps[0]  # the gap shrinks faster than the shock: second order


def test_failure_raises_and_names_equations():
    world = random_world(3, 2, seed=1)
    model = Krugman(solver=SolverConfig(max_steps=0, fallback=False))
    with pytest.raises(ConvergenceError, match=r"did not converge.*Failing equations: .*(labour market|budget) of C00"):
        model.solve(model.calibrate(world), Policy(shocked_tariffs(world, 1), name="test shock"))


def test_net_exports_rules():
    world = random_world(3, 2, seed=2)
    model = Krugman()
    calibration = model.calibrate(world)
    zero = model.solve(calibration, Policy(world.tariffs, "zero"))
    explicit = model.solve(calibration, Policy(world.tariffs, np.zeros(3)))
    np.testing.assert_allclose(zero.trade, explicit.trade, rtol=1e-12)
    np.testing.assert_allclose(zero.exports - zero.imports, 0, atol=1e-8 * world.expenditure.sum())
    with pytest.raises(ScenarioError, match="sum to .* not 0"):
        model.solve(calibration, Policy(world.tariffs, np.ones(3)))
    with pytest.raises(ScenarioError, match="shape"):
        model.solve(calibration, Policy(world.tariffs, np.zeros(2)))
    with pytest.raises(ScenarioError, match="'fixed', 'zero'"):
        Policy(world.tariffs, "balanced")


def test_policy_is_checked_against_world():
    world = random_world(3, 2, seed=2)
    model = Krugman()
    bad = world.tariffs.copy()
    bad[0, 1, 0] = -1.0
    with pytest.raises(ScenarioError, match="above -100%"):
        model.solve(model.calibrate(world), Policy(bad))
    own = world.tariffs.copy()
    own[1, 1, 1] = 0.1
    with pytest.raises(ScenarioError, match="own tariff of C001"):
        model.solve(model.calibrate(world), Policy(own))


def test_get_model_suggests():
    assert get_model("Krugman").name == "krugman"
    with pytest.raises(TariffsimError, match=r"^unknown model 'armingtn'\. Did you mean 'armington'\?"):
        get_model("armingtn")
