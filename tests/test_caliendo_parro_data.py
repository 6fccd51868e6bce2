"""Caliendo-Parro on the cp2015 data: NAFTA with both deficit treatments, the example scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tariffsim.io.cp2015 import read_cp2015, read_cp2015_tariffs
from tariffsim.models import Armington, CaliendoParro
from tariffsim.policy import Policy
from tariffsim.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cp2015"
NAFTA = ("Canada", "Mexico", "USA")
MODEL = CaliendoParro()


@pytest.fixture(scope="module")
def cp2015(data_dir):
    return read_cp2015(data_dir / "cp2015")


@pytest.fixture(scope="module")
def nafta_tariffs(data_dir):
    return read_cp2015_tariffs(data_dir / "cp2015", "tariff_cfl")


@pytest.fixture(scope="module")
def calibrations(cp2015):
    return {"data": MODEL.calibrate(cp2015), "zero": MODEL.calibrate(MODEL.balance(cp2015))}


@pytest.mark.data
@pytest.mark.parametrize("deficits", ["data", "zero"])
def test_nafta_solves_to_tight_residuals(calibrations, nafta_tariffs, deficits):
    calibration = calibrations[deficits]
    result = MODEL.solve(calibration, Policy(nafta_tariffs, name="NAFTA"))
    assert result.max_residual < 1e-10
    if deficits == "zero":
        np.testing.assert_allclose(calibration.world.net_exports, 0, atol=1e-9 * calibration.world.trade.sum())
    nafta = calibration.world.country_indices(NAFTA)
    assert np.all(result.exports[nafta] > calibration.world.exports[nafta])  # members trade more
    # the decomposition is first order: it has the sign and size of the exact change for the US
    parts = result.decomposition_pct
    us = calibration.world.country_index("USA")
    total = parts["terms_of_trade"][us] + parts["trade_volume"][us]
    assert abs(total - 100 * (result.welfare_hat[us] - 1)) < 0.05


@pytest.mark.data
def test_zero_shock_on_the_data_is_the_identity(calibrations):
    calibration = calibrations["data"]
    result = MODEL.solve(calibration, Policy.baseline(calibration.world))
    np.testing.assert_allclose(result.welfare_hat, 1, atol=1e-12)
    assert calibration.reconciliation < 0.02  # the data are close to (not exactly) a model equilibrium


@pytest.mark.data
def test_nafta_scenario_file_rebuilds_the_data_tariffs(cp2015, nafta_tariffs):
    policy = load_scenario(EXAMPLES / "nafta.toml").apply(cp2015.world)
    np.testing.assert_allclose(policy.tariffs, nafta_tariffs, rtol=0, atol=1e-12)


@pytest.mark.data
def test_without_links_the_data_give_the_armington_answer(cp2015):
    flat = cp2015.without_input_output()
    policy = load_scenario(EXAMPLES / "us_autos_japan.toml").apply(flat.world)
    cp = CaliendoParro(io_links=False)
    a = cp.solve(cp.calibrate(cp2015), policy)
    b = Armington().solve(Armington().calibrate(flat.world), policy)
    np.testing.assert_allclose(a.welfare_hat, b.welfare_hat, rtol=1e-9)
    np.testing.assert_allclose(a.w_hat, b.w_hat, rtol=1e-9)


@pytest.mark.data
def test_services_are_not_traded_so_their_tariffs_do_nothing(cp2015, calibrations):
    calibration = calibrations["data"]
    tariffs = calibration.world.tariffs.copy()
    tariffs[:, :, 20:] += 0.5
    tariffs[np.arange(31), np.arange(31), :] = 0
    result = MODEL.solve(calibration, Policy(tariffs))
    np.testing.assert_allclose(result.welfare_hat, 1, atol=1e-12)
