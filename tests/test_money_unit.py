"""Money in reports is US$ million whatever the data's unit (World.money_unit): ilms2025 is in thousand US$."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.models import Krugman
from tariffsim.policy import Policy
from tariffsim.report.tables import bilateral_changes, country_changes, sector_changes
from tariffsim.synthetic import random_world


def test_report_money_is_data_units_times_money_unit():
    world = random_world(3, 2, seed=1, balanced=True)
    in_thousands = world.replace(money_unit=0.001)
    tariffs = world.tariffs.copy()
    tariffs[1, 0, :] += 0.2
    model = Krugman()
    solved = [model.solve(model.calibrate(w), Policy(tariffs)) for w in (world, in_thousands)]
    millions, thousands = (country_changes(eq) for eq in solved)
    np.testing.assert_allclose(thousands["exports_usd_m"], millions["exports_usd_m"] / 1000)
    np.testing.assert_allclose(thousands["real_income_usd_m"], millions["real_income_usd_m"] / 1000)
    np.testing.assert_allclose(thousands["exports_pct"], millions["exports_pct"])
    np.testing.assert_allclose(sector_changes(solved[1], "C000")["exports_usd_m"],
                               sector_changes(solved[0], "C000")["exports_usd_m"] / 1000)
    np.testing.assert_allclose(bilateral_changes(solved[1])["change_usd_m"], bilateral_changes(solved[0])["change_usd_m"] / 1000)


def test_ilms2025_is_in_thousand_dollars(data_dir):
    from tariffsim.io import read_world

    try:
        world = read_world("ilms2025")
    except Exception as error:  # noqa: BLE001 - no shared data here
        pytest.skip(f"ilms2025 not available: {error}")
    assert world.money_unit == 0.001 and world.with_elasticity("U4").money_unit == 0.001


@pytest.mark.parametrize("unit", [0, -1.0, float("nan"), "1"])
def test_a_bad_money_unit_is_refused(unit):
    with pytest.raises(DataValidationError, match="money_unit"):
        random_world(2, 1, seed=0).replace(money_unit=unit)
