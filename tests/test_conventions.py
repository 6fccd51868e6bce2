"""Conventions (tariffsim.conventions): prepare() under TARIFFWAR does what the tariffwar package does to
a cube (floor on ICIO domestic flows, flows read as tariff-inclusive, imbalances purged with Armington),
checked against the cube file read by hand and against the package's balance-trade equations
transcribed to numpy; TARIFFSIM changes nothing."""

from __future__ import annotations

import dataclasses

import h5py
import numpy as np
import pytest
import scipy.optimize

from tariffsim import conventions as cv
from tariffsim.conventions import TARIFFSIM, TARIFFWAR, prepare
from tariffsim.errors import OptionError
from tariffsim.io import read_world
from tariffsim.synthetic import demo_world

NO_PURGE = dataclasses.replace(TARIFFWAR, purge_first=False)


def _cube(path):
    """The file's flows and tariffs exactly as h5py gives them, as (exporter, importer, sector)."""
    with h5py.File(path, "r") as h5:
        return (h5["data/Xjik_3D"][()].transpose(2, 1, 0), h5["data/tjik_3D"][()].transpose(2, 1, 0))


@pytest.fixture(scope="module", params=["WIOD2014", "ICIO2022"])
def cube(request, data_dir):
    path = data_dir / "tariffwar" / f"{request.param}.mat"
    flows, tariffs = _cube(path)
    return request.param, read_world(path), flows, tariffs


@pytest.fixture(scope="module")
def prepared(cube):
    return prepare(cube[1], TARIFFWAR)


def _diag(a):
    idx = np.arange(a.shape[0])
    return a[idx, idx, :]


def _off_diag(a):
    mask = ~np.eye(a.shape[0], dtype=bool)
    return a[mask]


# ------------------------------------------------------------------------------ the conventions
def test_the_two_conventions_hold_the_choices_of_the_issue():
    assert (TARIFFWAR.flows_include_tariffs, TARIFFWAR.domestic_floor, TARIFFWAR.purge_first, TARIFFWAR.model,
            TARIFFWAR.nash_mode, TARIFFWAR.tariff_cap) == (True, 1.0, True, "armington", "uniform", 1.0)
    assert (TARIFFSIM.flows_include_tariffs, TARIFFSIM.domestic_floor, TARIFFSIM.purge_first, TARIFFSIM.model,
            TARIFFSIM.nash_mode, TARIFFSIM.tariff_cap) == (False, 0.0, False, "krugman", None, None)
    for choice in ("domestic_floor", "flows_include_tariffs", "purge_first", "model", "nash_mode", "tariff_cap",
                   "welfare"):
        assert ".m:" in TARIFFWAR.source(choice), choice  # every tariffwar choice cites file:line
    with pytest.raises(dataclasses.FrozenInstanceError):
        TARIFFWAR.domestic_floor = 2.0  # type: ignore[misc]


def test_get_convention_by_name_and_refuses_unknown_names():
    assert cv.get_convention("TariffWar") is TARIFFWAR
    assert cv.get_convention(None) is TARIFFSIM
    assert cv.get_convention(TARIFFWAR) is TARIFFWAR
    with pytest.raises(OptionError, match="tariffwar"):
        cv.get_convention("tarifwar")
    with pytest.raises(OptionError, match="nash_mode"):
        cv.Convention(name="x", description="", nash_mode="everything")
    with pytest.raises(OptionError, match="model"):
        cv.Convention(name="x", description="", model="gravity")
    assert cv.get_convention("tariffwar").facts()["sources"]["tariff_cap"].startswith("+tariffwar/+solver")


# ------------------------------------------------------------------------------------ the cubes
def test_only_icio_cubes_are_detected(cube):
    name, world, _, _ = cube
    assert cv.is_icio(world) is name.startswith("ICIO")


def test_the_readme_numbers_and_the_producer_revenue_they_imply(data_dir):
    """China's sales to the US: US$532 bn of flows in ICIO 2022 (the data README); read as tariff-inclusive,
    China earns the flows net of US tariffs."""
    path = data_dir / "tariffwar" / "ICIO2022.mat"
    world, (flows, tariffs) = read_world(path), _cube(path)
    chn, usa = world.country_index("CHN"), world.country_index("USA")
    assert flows[chn, usa].sum() / 1e3 == pytest.approx(532.15, abs=0.01)
    assert flows[usa, chn].sum() / 1e3 == pytest.approx(222.48, abs=0.01)
    read = prepare(world, NO_PURGE)
    assert read.trade[chn, usa].sum() / 1e3 == pytest.approx(514.45, abs=0.01)
    assert read.trade[chn, usa].sum() == pytest.approx((flows[chn, usa] / (1 + tariffs[chn, usa])).sum(), rel=1e-14)


def test_the_floor_is_one_million_on_every_domestic_cell_of_icio_only(cube):
    name, world, flows, tariffs = cube
    read = prepare(world, NO_PURGE)
    floor = 1.0 if name.startswith("ICIO") else 0.0
    np.testing.assert_array_equal(_diag(read.trade), _diag(flows) + floor)  # domestic tariffs are zero
    np.testing.assert_allclose(_diag(read.trade) - _diag(flows), floor, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(_off_diag(read.trade), _off_diag(flows / (1 + tariffs)))  # no floor there
    if name == "ICIO2022":
        assert (_diag(flows) == 0).sum() == 41 and (_diag(read.trade) >= 1.0).all()


def test_the_floor_follows_the_flag_not_the_label(cube):
    name, world, flows, _ = cube
    forced = prepare(world, NO_PURGE, icio=not name.startswith("ICIO"))
    expected = 0.0 if name.startswith("ICIO") else 1.0
    np.testing.assert_array_equal(_diag(forced.trade), _diag(flows) + expected)


def test_flows_are_converted_cell_by_cell_so_revenue_and_spending_are_the_packages(cube):
    """R_i = sum_j flow_ij / (1 + t_ij) (compute_derived_cubes.m:20) and Y_i = sum_j flow_ji (line 19)."""
    _name, world, flows, tariffs = cube
    read = prepare(world, dataclasses.replace(NO_PURGE, domestic_floor=0.0))
    np.testing.assert_array_equal(read.trade, flows / (1 + tariffs))
    np.testing.assert_allclose(read.trade.sum(axis=(1, 2)), (flows / (1 + tariffs)).sum(axis=(1, 2)), rtol=1e-13)
    np.testing.assert_allclose(read.expenditure, flows.sum(axis=(0, 2)), rtol=1e-13)
    np.testing.assert_allclose(cv.tariff_inclusive_flows(read), flows, rtol=1e-13)
    np.testing.assert_array_equal(read.tariffs, world.tariffs)
    # tariffsim's own reading is different: the same numbers are trade at world prices
    assert (world.trade > read.trade).sum() > 0 and np.array_equal(world.trade, flows)


def test_the_conversion_is_identity_without_tariffs(cube):
    _, world, _, _ = cube
    free = world.with_tariffs(np.zeros_like(world.tariffs))
    read = prepare(free, NO_PURGE, icio=False)
    np.testing.assert_array_equal(read.trade, free.trade)
    np.testing.assert_array_equal(cv.flows_to_world_prices(free.trade, free.tariffs), free.trade)


def test_prepared_worlds_are_balanced(cube, prepared):
    _, world, _, _ = cube
    assert np.max(np.abs(prepared.net_exports) / prepared.expenditure) < 1e-9
    assert np.max(np.abs(world.net_exports) / world.expenditure) > 0.05  # the cubes are not balanced
    np.testing.assert_array_equal(prepared.tariffs, world.tariffs)
    np.testing.assert_array_equal(prepared.sigma, world.sigma)
    assert prepared.label.endswith(TARIFFWAR.marker)


@pytest.mark.parametrize("elasticity", ["U4", "CP"])
def test_the_purge_is_the_packages_balance_trade(cube, prepared, elasticity):
    """The tariffwar package's balance_trade (balanced_trade_equations.m, eqs. 6-7 with D = 0; derived cubes
    from compute_derived_cubes.m), transcribed to numpy and solved by scipy, gives the prepared world's
    flows (tariff-inclusive) to 1e-7 of each importer's spending. Under CP sigma differs by sector, so a
    purge with profits (krugman) would not pass; under U4 it would (one profit share for all sectors)."""
    name, world, flows, tariffs = cube
    world = world.with_elasticity(elasticity)
    ours = cv.tariff_inclusive_flows(prepared if prepared.elasticity == elasticity else prepare(world, TARIFFWAR))
    X = flows + (np.eye(flows.shape[0])[:, :, None] if name.startswith("ICIO") else 0.0)
    package = _tariffwar_balance_trade(X, tariffs, world.sigma)
    scale = package.sum(axis=(0, 2))[None, :, None]
    assert np.max(np.abs(ours - package) / scale) < 1e-7


def _tariffwar_balance_trade(X, t, sigma):
    """tariffwar.data.balance_trade in numpy; X (exporter, importer, sector) tariff-inclusive flows."""
    n = X.shape[0]
    column = X.sum(axis=0, keepdims=True)
    lam = X / np.maximum(column, np.finfo(float).eps)
    Y = np.maximum(X.sum(axis=(0, 2)), np.finfo(float).eps)  # importer's spending
    R = np.maximum((X / (1 + t)).sum(axis=(1, 2)), np.finfo(float).eps)  # exporter's revenue net of tariffs
    e = X.sum(axis=0) / Y[:, None]  # (importer, sector)

    def flows_at(u):
        w, y = np.exp(u[:n]), np.exp(u[n:])
        aux0 = lam * w[:, None, None] ** (1 - sigma)
        aux2 = aux0 / np.maximum(aux0.sum(axis=0, keepdims=True), np.finfo(float).eps)
        return aux2 * e[None] * (y * Y)[None, :, None], w, y

    def residuals(u):
        new, w, y = flows_at(u)
        err1 = (new / (1 + t)).sum(axis=(1, 2)) - w * R
        err1[-1] = (R * (w - 1)).sum()
        err2 = (new * t / (1 + t)).sum(axis=(0, 2)) + w * R - y * Y
        return np.concatenate([err1 / R, err2 / Y])

    found = scipy.optimize.root(residuals, np.zeros(2 * n), method="hybr", tol=1e-14)
    assert np.max(np.abs(residuals(found.x))) < 1e-10, found.message
    return flows_at(found.x)[0]


def test_preparing_twice_adds_nothing(cube, prepared):
    again = prepare(prepared, TARIFFWAR)
    assert again is prepared


def test_tariffsim_leaves_the_world_unchanged(cube):
    _, world, flows, _ = cube
    assert prepare(world, TARIFFSIM) is world
    assert prepare(world, None) is world
    assert prepare(world, "tariffsim", icio=True) is world
    np.testing.assert_array_equal(world.trade, flows)


# ---------------------------------------------------------------------------- small worlds, fast
def test_steps_on_a_small_world_in_order_and_with_progress():
    world = demo_world()
    steps: list[str] = []
    out = prepare(world, TARIFFWAR, icio=True, on_step=steps.append)
    assert [s.split(" ")[0] for s in steps] == ["adding", "reading", "purging"]
    assert np.max(np.abs(out.net_exports) / out.expenditure) < 1e-9
    # without the purge: floor first (on domestic cells, no tariff), then the conversion
    read = prepare(world, NO_PURGE, icio=True)
    expected = np.array(world.trade)
    idx = np.arange(world.n_countries)
    expected[idx, idx, :] += 1.0
    np.testing.assert_array_equal(read.trade, expected / (1 + world.tariffs))
