"""``replicate ilms2025``: the paper's tables built from the experiments, checked against the experiments'
own numbers and the spec's definitions (MODEL_ILMS2025.md §6, §14), not against printed values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.ilms_data import read_ilms_data
from tariffsim.ilms_experiments import EU25, EXPERIMENTS, spec_experiment
from tariffsim.io.ilms2025 import ilms2025_baseline
from tariffsim.models.ilms import results_columns
from tariffsim.replication.ilms2025 import MISSING, TableQuirks, run_experiments, tables

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def replication(data_dir):
    folder = data_dir / "ilms2025"
    if not folder.is_dir():
        pytest.skip("ilms2025 data not available")
    data = read_ilms_data(folder)
    results = run_experiments(data)
    return data, results, tables(results, data.world, ilms2025_baseline(folder).gdp)


def _row(table, experiment, row):
    return table[(table["experiment"] == experiment) & (table["row"] == row)].iloc[0]


def test_every_experiment_solves_to_the_spec_tolerance(replication):
    _, results, _ = replication
    assert set(results) == set(EXPERIMENTS)
    assert max(r.residual for r in results.values()) <= 1e-10


def test_table_rows_are_the_experiments_numbers_averaged_with_baseline_spending(replication):
    _, results, written = replication
    b1 = results["B1"]
    frame, spending = b1.results, b1.expenditure
    others = np.array([c != "USA" for c in frame.index])
    expected = (frame["welfare"].to_numpy()[others] * spending[others]).sum() / spending[others].sum()
    assert _row(written["table1"], "B1", "non-US (average)")["welfare"] == round(expected, 2)
    assert _row(written["table1"], "B8", "USA")["employment"] == round(results["B8"].results.loc["USA", "employment"], 2)
    eu = np.isin(results["B6"].results.index, EU25)
    eu_welfare = (results["B6"].results["welfare"].to_numpy()[eu] * spending[eu]).sum() / spending[eu].sum()
    assert _row(written["table2"], "B6", "EU")["welfare"] == round(eu_welfare, 2)
    table3 = written["table3"].set_index("row")
    assert table3.loc["% of GDP", "B1"] == round(100 * results["B1"].results.loc["USA", "revenue"], 2)


def test_reciprocal_retaliation_mirrors_the_us_schedule_and_the_optimal_tariff_is_the_formula(replication):
    data, _, _ = replication
    world = data.world
    us = world.country_index("USA")
    b6 = spec_experiment("B6", data).policy.tariffs[:, :, 0]
    np.testing.assert_array_equal(b6[us, :], b6[:, us])
    b4 = spec_experiment("B4", data)
    X, nu, params = b4.calibration.world.trade[:, :, 0], np.asarray(b4.calibration.params.nu), b4.calibration.params
    shares = X[us] / X.sum(axis=0)
    rest = np.arange(world.n_countries) != us
    delta = (X[us, rest] * (1 - nu[rest]) * (1 - shares[rest])).sum() / (
        (1 - nu[us]) * (np.asarray(params.expenditure)[us] - X[us, us]))
    t_opt = 1 / ((1 + delta * params.epsilon) * params.phi[us] - 1)
    np.testing.assert_allclose(b4.policy.tariffs[rest, us, 0], t_opt, rtol=1e-12)
    assert np.all(b4.policy.tariffs[:, rest, 0] == 0)  # zeros elsewhere: the USTR tariffs are not used


def test_balanced_trade_frameworks_are_differences_from_zero_tariffs(replication):
    data, results, _ = replication
    d2 = spec_experiment("D2", data)
    at_policy = results_columns(d2.model.solve(d2.calibration, d2.policy))
    at_zero = results_columns(d2.model.solve(d2.calibration, d2.reference))
    np.testing.assert_allclose(results["D2"].results.to_numpy(), (at_policy - at_zero).to_numpy(), atol=1e-9)


def test_table10_quirks_and_their_corrections(replication):
    data, results, written = replication
    quirky = written["table10"]
    assert _row(quirky, "D4", "non-US (average)")["welfare"] == _row(quirky, "D3", "non-US (average)")["welfare"]
    others = [c for c in results["D1"].results.index if c != "USA"]
    assert _row(quirky, "D1", "non-US (average)")["welfare"] == round(results["D1"].results.loc[others, "welfare"].mean(), 2)
    corrected = tables(results, data.world, np.ones(data.world.n_countries), TableQuirks(False, False, False))
    assert _row(corrected["table10"], "D4", "non-US (average)")["welfare"] != _row(quirky, "D4", "non-US (average)")["welfare"]
    b5, spending = results["B5"].results, results["B5"].expenditure
    eu27 = np.isin(b5.index, (*EU25, "CZE", "SVK"))
    eu27_deficit = (b5["deficit"].to_numpy()[eu27] * spending[eu27]).sum() / spending[eu27].sum()
    assert _row(corrected["table2"], "B5", "EU")["deficit"] == round(eu27_deficit, 1)


def test_absent_experiments_are_empty_cells_with_the_reason(replication):
    _, _, written = replication
    ms1 = written["table9"][written["table9"]["experiment"] == "MS1"]
    assert ms1["welfare"].isna().all() and (ms1["note"] == MISSING["MS1"]).all()
    table11 = written["table11"]
    assert table11["multi"].isna().all() and table11["main"].notna().all()


def test_cli_writes_every_table_the_maps_and_run_json(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    out = tmp_path / "rep"
    result = CliRunner().invoke(app, ["replicate", "ilms2025", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"table{k}.csv" for k in (1, 2, 3, 4, 8, 9, 10, 11)]
                           + ["output_map.csv", "output_map_retal.csv", "run.json"])
    document = json.loads((out / "run.json").read_text())
    assert document["worst_residual"] <= 1e-10 and set(document["missing"]) == set(MISSING)
    again = CliRunner().invoke(app, ["replicate", "ilms2025", "--out", str(out)])
    assert again.exit_code == 1 and "Traceback" not in again.output
