"""The readers on the real ossa2014 data (../shared/data, or TARIFFSIM_DATA)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffsim.io import read_long_folder, read_ossa, read_world, write_long

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def ossa_dir(data_dir):
    return data_dir / "ossa2014"


@pytest.fixture(scope="module")
def ossa(ossa_dir):
    return read_ossa(ossa_dir)


def test_dimensions_names_and_extremes(ossa):
    assert ossa.trade.shape == (7, 7, 33)
    assert ossa.countries == ("BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA")
    assert ossa.sectors[0] == "ric" and ossa.sectors[28] == "mvh" and ossa.sectors[-1] == "omf"
    assert ossa.sector_names[28] == "Motor vehicles and parts"
    assert ossa.trade.min() == pytest.approx(7.3e-7, rel=0.01)
    idx = np.arange(7)
    assert np.all(ossa.tariffs[idx, idx, :] == 0)
    assert ossa.tariffs.max() == pytest.approx(5.13, abs=0.005)
    assert ossa.tariffs.min() == 0
    assert ossa.country_index("United States") == 6


def test_expenditure_matches_the_tariff_inclusive_sum(ossa_dir, ossa):
    stacked = [np.loadtxt(ossa_dir / name, delimiter=",") for name in ("trade_ijs.csv", "tariff_ijs.csv")]
    trade, tariffs = (m.reshape(33, 7, 7).transpose(1, 2, 0) for m in stacked)
    spending = ((1 + tariffs) * trade).sum(axis=(0, 2))  # sum over exporters i and sectors s
    np.testing.assert_allclose(ossa.expenditure, spending, rtol=1e-14)
    assert ossa.expenditure[ossa.country_index("USA")] == pytest.approx(6.84e6, rel=0.001)


@pytest.mark.parametrize(("version", "mean"), [
    ("main", 3.4216), ("Low_Sig", 3.5), ("med", 5.0), ("High_Sig", 6.5), ("novar", 3.421576),
])
def test_sigma_versions(ossa_dir, version, mean):
    sigma = read_ossa(ossa_dir, version).sigma
    assert sigma.mean() == pytest.approx(mean, abs=5e-5)
    if version == "novar":
        np.testing.assert_array_equal(sigma, np.full(33, 3.421576))
    if version == "main":
        assert sigma[1] == pytest.approx(10.07, abs=0.005)  # wht


@pytest.mark.parametrize("format", ["csv", "parquet"])
def test_long_round_trip(tmp_path, ossa, format):
    back = read_long_folder(write_long(ossa, tmp_path / "ossa", format))
    for field in ("trade", "tariffs", "sigma"):
        np.testing.assert_allclose(getattr(back, field), getattr(ossa, field), rtol=1e-15, atol=0)
    assert (back.countries, back.sectors, back.sector_groups) == (ossa.countries, ossa.sectors, ossa.sector_groups)


def test_stata_round_trip(tmp_path, ossa):
    folder = write_long(ossa, tmp_path / "ossa")
    pd.read_csv(folder / "flows.csv").to_stata(folder / "flows.dta", write_index=False)
    (folder / "flows.csv").unlink()
    back = read_long_folder(folder)
    np.testing.assert_allclose(back.trade, ossa.trade, rtol=1e-15, atol=0)
    np.testing.assert_allclose(back.tariffs, ossa.tariffs, rtol=1e-15, atol=0)


def test_read_world_detects_the_ossa_layout_by_name(data_dir, monkeypatch, ossa):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    np.testing.assert_array_equal(read_world("ossa2014").trade, ossa.trade)
