"""GE confidence intervals: coefficient draws, Monte Carlo and pairs bootstrap, serial vs dask, failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.gravity import ge
from tariffsim.gravity.experiment_file import experiment_from_dict
from tariffsim.gravity.pipeline import run_experiment
from tariffsim.gravity.uncertainty import GEOptions, bootstrap_pairs, draw_coefficients, monte_carlo

DEU = GEOptions(reference="DEU")
SERIAL = {"scheduler": "serial"}


def test_coefficient_draws_have_the_estimated_mean_and_covariance():
    beta, cov = np.array([0.5, -1.0]), np.array([[0.04, 0.01], [0.01, 0.09]])
    draws = draw_coefficients(beta, cov, 40_000, seed=3)
    assert draws.shape == (40_000, 2)
    np.testing.assert_allclose(draws.mean(axis=0), beta, atol=0.006)
    np.testing.assert_allclose(np.cov(draws.T), cov, rtol=0.03, atol=5e-4)
    np.testing.assert_array_equal(draws, draw_coefficients(beta, cov, 40_000, seed=3))
    with pytest.raises(DataValidationError, match="negative eigenvalue"):
        draw_coefficients(beta, np.array([[1.0, 2.0], [2.0, 1.0]]), 5, seed=0)
    with pytest.raises(DataValidationError, match="not symmetric"):
        draw_coefficients(beta, np.array([[1.0, 0.5], [0.0, 1.0]]), 5, seed=0)


def test_zero_covariance_gives_the_point_estimate_in_every_draw(nafta_run):
    zero = nafta_run.fit.vcov * 0.0
    result = monte_carlo(nafta_run.costs, zero, DEU, draws=3, seed=0, **SERIAL)
    np.testing.assert_allclose(result.values, np.broadcast_to(nafta_run.result.change_percent(), result.values.shape),
                               rtol=1e-12, atol=1e-12)
    frame = result.to_frame()
    np.testing.assert_allclose(frame["p2.5"], frame["estimate"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(frame["p97.5"], frame["estimate"], rtol=1e-12, atol=1e-12)
    assert (frame["draws"] == 3).all() and (frame["failed"] == 0).all()


def test_nafta_intervals_bracket_the_estimate_and_widen_with_the_variance(nafta_run):
    narrow = monte_carlo(nafta_run.costs, nafta_run.fit.vcov, DEU, draws=12, seed=1, **SERIAL)
    wide = monte_carlo(nafta_run.costs, nafta_run.fit.vcov * 4, DEU, draws=12, seed=1, **SERIAL)
    assert narrow.n_failed == 0 and narrow.max_residual <= 1e-10
    table = narrow.to_frame().set_index(["country", "variable"])
    usa = table.loc[("USA", "real_gdp")]
    assert usa["p2.5"] < usa["estimate"] < usa["p97.5"] < 0
    # same normals, twice the standard deviation: the spread of each country's draws grows
    spread = [np.nanstd(r.values[:, ge.VARIABLES.index("real_gdp")], axis=0) for r in (narrow, wide)]
    assert (spread[1] > 1.5 * spread[0]).all()
    assert len(narrow.to_frame()) == len(ge.VARIABLES) * len(nafta_run.costs.countries)


def test_serial_and_local_cluster_give_identical_draws(nafta_run):
    kwargs = dict(draws=6, seed=11, chunk_size=2)
    serial = monte_carlo(nafta_run.costs, nafta_run.fit.vcov, DEU, **kwargs, **SERIAL)
    seen = []
    parallel = monte_carlo(nafta_run.costs, nafta_run.fit.vcov, DEU, **kwargs, scheduler="local", workers=2,
                           processes=False, timeout=120, progress=seen.append)
    np.testing.assert_array_equal(serial.coefficients, parallel.coefficients)
    np.testing.assert_array_equal(serial.values, parallel.values)
    assert sorted(seen) == [2, 2, 2]
    other = monte_carlo(nafta_run.costs, nafta_run.fit.vcov, DEU, draws=6, seed=12, **SERIAL)
    assert not np.array_equal(other.coefficients, serial.coefficients)


def test_failed_draws_are_counted_with_reasons(borders_run):
    result = monte_carlo(borders_run.costs, borders_run.fit.vcov * 1e5, DEU, draws=10, seed=1, **SERIAL)
    assert 0 < result.n_failed < 10
    failures = result.failure_table()
    assert failures["draw"].tolist() == [4, 8]  # the draws (coefficients 300 standard errors off) with no equilibrium
    assert set(failures["error"]) <= {"FloatingPointError", "DataValidationError", "ConvergenceError"}
    assert np.isnan(result.values[failures["draw"].to_numpy()]).all()
    ok = np.setdiff1d(np.arange(10), failures["draw"])
    assert np.isfinite(result.values[ok]).all()
    frame = result.to_frame()
    assert (frame["draws"] == 10 - result.n_failed).all() and (frame["failed"] == result.n_failed).all()
    assert result.failure_counts().sum() == result.n_failed
    assert "failed draws:" in result.summary() and result.to_json_dict()["failed"] == result.n_failed
    with pytest.raises(ConvergenceError, match=r"all 3 monte-carlo draws failed; reasons: "):
        monte_carlo(borders_run.costs, borders_run.fit.vcov * 1e8, DEU, draws=3, seed=0, **SERIAL)


def test_pairs_bootstrap_reestimates_and_is_reproducible(borders_run):
    kwargs = dict(draws=4, seed=5, **SERIAL)
    first = bootstrap_pairs(borders_run.sample, borders_run.fit.formula, borders_run.costs, DEU, **kwargs)
    again = bootstrap_pairs(borders_run.sample, borders_run.fit.formula, borders_run.costs, DEU,
                            chunk_size=3, **kwargs)
    np.testing.assert_array_equal(first.coefficients, again.coefficients)
    assert first.n_failed == 0 and first.method == "bootstrap-pairs"
    assert len(np.unique(first.coefficients[:, 0])) == 4  # every resample is a different sample
    # bootstrap spread of the border coefficient: same order as its robust standard error
    se = borders_run.fit.coefficients.loc["INTL_BRDR", "std_error"]
    sd = first.coefficient_summary().loc["INTL_BRDR", "std"]
    assert 0.4 * se < sd < 4 * se


def test_bootstrap_draws_without_a_term_fail_with_that_reason(yotov):
    data = yotov("Chapter2Application1")
    data["ONE_PAIR"] = ((data["exporter"] == "USA") & (data["importer"] == "CAN")).astype(float)
    spec = experiment_from_dict({
        "title": "t", "estimation": {"formula": "trade ~ ln_DIST + INTL_BRDR + ONE_PAIR | exporter + importer",
                                     "years": [2006]},
        "ge": {"year": 2006, "kind": "conditional", "reference": "DEU"},
        "change": [{"variable": "INTL_BRDR", "value": 0}]})
    run = run_experiment(spec, data)
    result = bootstrap_pairs(run.sample, run.fit.formula, run.costs, GEOptions("DEU", kind="conditional"),
                             draws=3, seed=3, **SERIAL)
    assert result.failure_table()["draw"].tolist() == [0, 2]  # USA->CAN drawn only in draw 1 (seed 3)
    assert all("['ONE_PAIR'] not estimated in this resample" in m for m in result.failure_table()["message"])
    failed = result.failure_table()["draw"].to_numpy()
    assert np.isnan(result.coefficients[failed]).all() and np.isnan(result.values[failed]).all()


def test_bad_arguments(nafta_run):
    with pytest.raises(DataValidationError, match=r"no covariance for term\(s\) \['RTA'\]"):
        monte_carlo(nafta_run.costs, pd.DataFrame([[1.0]], index=["X"], columns=["X"]), DEU, draws=2, **SERIAL)
    with pytest.raises(DataValidationError, match="draws must be at least 1"):
        monte_carlo(nafta_run.costs, nafta_run.fit.vcov, DEU, draws=0, **SERIAL)
    with pytest.raises(DataValidationError, match="cluster column 'cid'"):
        bootstrap_pairs(nafta_run.sample, nafta_run.fit.formula, nafta_run.costs, DEU, cluster="cid", **SERIAL)
