"""Ossa (2014) on its data: purge, Table 2 and Table 3 (a, b) rebuilt by computation, to the digit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffsim.io import read_ossa
from tariffsim.purge import purge, purge_equilibrium
from tariffsim.replication.ossa2014 import round_half_away, stacked_to_cubes, table2, unilateral_table


@pytest.fixture(scope="module")
def raw(data_dir):
    return read_ossa(data_dir / "ossa2014")


@pytest.fixture(scope="module")
def purged(raw):
    return purge(raw)


def read_stacked(path, n=7, s=33) -> np.ndarray:
    """(N,N,S) cube from the paper's 231 x 7 stacking."""
    return np.loadtxt(path, delimiter=",").reshape(s, n, n).transpose(1, 2, 0)


def test_purge_reproduces_published_flows(raw, purged, reference_dir):
    published = read_stacked(reference_dir / "ossa2014" / "purged_trade_ijs.csv")
    assert np.max(np.abs(purged.trade / published - 1)) < 1e-6
    np.testing.assert_array_equal(purged.tariffs, raw.tariffs)
    assert np.max(np.abs(purged.net_exports)) < 1e-9 * purged.expenditure.sum()


def test_purge_hats_match_spec(raw):
    equilibrium = purge_equilibrium(raw)
    np.testing.assert_allclose(equilibrium.E_hat, [1.099, 1.155, 1.034, 0.954, 1.239, 0.924, 0.838], atol=5e-4)
    assert equilibrium.max_residual < 1e-12


def test_table2_equals_printed_digits(purged, reference_dir):
    published = pd.read_csv(reference_dir / "ossa2014" / "table2.csv").to_numpy()
    computed = round_half_away(table2(purged).to_numpy(), 2)
    np.testing.assert_array_equal(computed, published)


@pytest.mark.parametrize("panel, tariffs_file, weights_file", [
    ("a", "optimal_tariff_bas.csv", None),
    ("b", "optimal_tariff_pol.csv", "lambda_pol.csv"),
])
def test_table3_rebuilt_from_published_optimal_tariffs(purged, reference_dir, panel, tariffs_file, weights_file):
    folder = reference_dir / "ossa2014"
    cubes = stacked_to_cubes(purged, np.loadtxt(folder / tariffs_file, delimiter=","))
    weights = np.loadtxt(folder / weights_file, delimiter=",") if weights_file else None
    computed = unilateral_table(purged, cubes, weights)
    published = pd.read_csv(folder / f"table3{panel}.csv")
    assert list(computed.columns) == list(published.columns[1:])
    assert list(computed.index) == list(published["region"])
    np.testing.assert_array_equal(round_half_away(computed.to_numpy(), 1), published.iloc[:, 1:].to_numpy())


def test_round_half_away_from_zero():
    np.testing.assert_array_equal(round_half_away([0.25, -0.25, 0.35, 1.45], 1), [0.3, -0.3, 0.4, 1.5])
