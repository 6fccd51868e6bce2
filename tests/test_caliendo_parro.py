"""Caliendo-Parro model on small random IO worlds: identity, scaling, decomposition, Jacobian, reduction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim._jax import jax, jnp
from tariffsim.errors import DataValidationError
from tariffsim.models import Armington, CaliendoParro
from tariffsim.models import _cp_equations as eq
from tariffsim.models.caliendo_parro import baseline_arrays, decomposition_parts
from tariffsim.policy import Policy
from tariffsim.synthetic import random_io_world, random_world
from tariffsim.world_io import IOWorld

MODEL = CaliendoParro()


def shocked(world, seed: int, size: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tariffs = np.maximum(world.tariffs + rng.uniform(-size, size, world.tariffs.shape), -0.5)
    idx = np.arange(world.n_countries)
    tariffs[idx, idx, :] = 0.0
    return tariffs


# One shape (3 countries x 2 sectors) so that the solver compiles once; hypothesis varies the data.
worlds = st.builds(random_io_world, st.just(3), st.just(2), st.integers(0, 10_000))


@settings(max_examples=8, deadline=None)
@given(io_world=worlds)
def test_zero_shock_is_the_identity(io_world):
    calibration = MODEL.calibrate(io_world)
    result = MODEL.solve(calibration, Policy.baseline(calibration.world))
    for hats in (result.w_hat, result.E_hat, result.price_index_sector_hat, result.cost_hat, result.welfare_hat):
        np.testing.assert_allclose(hats, 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.trade, calibration.world.trade, rtol=1e-11, atol=1e-9)
    assert result.max_residual <= 1e-10


@settings(max_examples=6, deadline=None)
@given(io_world=worlds, factor=st.floats(1e-3, 1e4), seed=st.integers(0, 1000))
def test_rescaling_all_values_changes_nothing(io_world, factor, seed):
    tariffs = shocked(io_world.world, seed)
    a = MODEL.solve(MODEL.calibrate(io_world), Policy(tariffs))
    b = MODEL.solve(MODEL.calibrate(io_world.scaled(factor)), Policy(tariffs))
    for name in ("w_hat", "E_hat", "welfare_hat", "price_index_sector_hat", "cost_hat"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-9)
    np.testing.assert_allclose(b.trade, a.trade * factor, rtol=1e-8)


@settings(max_examples=6, deadline=None)
@given(io_world=worlds, seed=st.integers(0, 1000))
def test_decomposition_adds_up_in_the_differential_limit(io_world, seed):
    calibration = MODEL.calibrate(io_world)
    base = calibration.world.tariffs
    direction = shocked(calibration.world, seed, 0.1) - base
    errors = []
    for eps in (1e-2, 1e-3):
        result = MODEL.solve(calibration, Policy(base + eps * direction))
        parts = result.decomposition_pct
        first_order = (parts["terms_of_trade"] + parts["trade_volume"]) / 100
        errors.append(np.max(np.abs(np.log(result.welfare_hat) - first_order)))
        by_cell = sum(v.sum(axis=(1, 2)) for v in decomposition_parts(result).values())
        np.testing.assert_allclose(100 * by_cell, parts["terms_of_trade"] + parts["trade_volume"], atol=1e-12)
    # second-order remainder: shrinking the shock 10x shrinks the gap ~100x
    assert errors[1] <= 2e-2 * errors[0] + 1e-13


def test_jacobian_matches_finite_differences():
    io_world = random_io_world(3, 2, seed=3)
    base = baseline_arrays(io_world)
    policy = Policy(shocked(io_world.world, 1), -io_world.deficits).arrays(io_world.world)
    x = jnp.asarray(np.random.default_rng(2).normal(0, 0.05, 3))
    jac = np.asarray(jax.jit(eq.jacobian)(x, base, policy))
    residuals = jax.jit(eq.residuals)
    h = 1e-6
    for k in range(3):
        e = jnp.zeros(3).at[k].set(h)
        fd = (residuals(x + e, base, policy) - residuals(x - e, base, policy)) / (2 * h)
        np.testing.assert_allclose(jac[:, k], fd, rtol=1e-6, atol=1e-8)


def test_derivatives_in_baseline_arrays_are_refused():
    io_world = random_io_world(3, 2, seed=0)
    base = baseline_arrays(io_world)
    policy = Policy(io_world.world.tariffs, -io_world.deficits).arrays(io_world.world)

    def welfare_of_theta(theta):
        return eq.residuals(jnp.zeros(3), base._replace(theta=theta), policy).sum()

    with pytest.raises(NotImplementedError, match="differentiable in wages and the policy, not in the baseline"):
        jax.jacfwd(welfare_of_theta)(base.theta)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_without_input_output_it_is_the_armington_model(seed):
    n, s = 3, 2
    world = random_world(n, s, seed=seed)
    io_world = IOWorld(world, np.zeros((n, s, s)), world.trade.sum(axis=1),
                       ((1 + world.tariffs) * world.trade).sum(axis=0))
    tariffs = shocked(world, seed)
    cp = MODEL.solve(MODEL.calibrate(io_world), Policy(tariffs))
    armington = Armington().solve(Armington().calibrate(world), Policy(tariffs))
    for name in ("w_hat", "E_hat", "welfare_hat", "price_index_sector_hat"):
        np.testing.assert_allclose(getattr(cp, name), getattr(armington, name), rtol=1e-9)
    np.testing.assert_allclose(cp.trade, armington.trade, rtol=1e-9, atol=1e-9 * world.trade.max())


def test_io_world_rejects_inconsistent_tables():
    io_world = random_io_world(3, 2, seed=1)
    value_added = io_world.value_added.copy()
    value_added[1, 0] *= 1.5
    with pytest.raises(DataValidationError, match=r"gross output of .* in the input-output table"):
        io_world.replace(value_added=value_added)
    final = io_world.final_demand.copy()
    final[0, 0] = -1.0
    with pytest.raises(DataValidationError, match="final_demand is negative"):
        io_world.replace(final_demand=final)
    with pytest.raises(DataValidationError, match="final demand of .* sums to"):
        io_world.replace(final_demand=io_world.final_demand * 1.1)
