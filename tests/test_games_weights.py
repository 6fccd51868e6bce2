"""Political-economy weights calibrated from tariff targets (Ossa 2014 §4.3), on the real data."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import OptionError
from tariffsim.games.weights import PROHIBITIVE, calibrate_weights
from tariffsim.io import read_ossa
from tariffsim.models import Krugman
from tariffsim.purge import purge


@pytest.fixture(scope="module")
def calibrated(data_dir, reference_dir):
    world = purge(read_ossa(data_dir / "ossa2014"))
    # The paper's filled-in targets are an input here; computing them is tested with the pipeline.
    targets = np.loadtxt(reference_dir / "ossa2014" / "target_tariff.csv", delimiter=",").T
    return world, targets, calibrate_weights(Krugman().calibrate(world), targets)


@pytest.mark.slow
def test_weights_rationalise_the_targets(calibrated):
    world, targets, result = calibrated
    assert result.weights.shape == (7, 33)
    np.testing.assert_allclose(result.weights.mean(axis=1), 1.0, rtol=1e-12)
    assert np.all(result.weights >= 0)
    for fit in result.fits:
        normal = targets[world.country_index(fit.country)] <= PROHIBITIVE
        assert fit.correlation > 0.99, fit.country
        if np.all(fit.weights > 0):  # exact: optimal tariffs follow the pattern within 0.5 pp
            assert fit.rms_deviation_pp < 0.5 and fit.first_order_residual < 1e-9, fit.country
        else:  # a weight at its bound of 0 (EU wool, as in the paper) leaves that sector off the pattern
            assert fit.rms_deviation_pp < 3.0, fit.country  # the paper's own fit: 0.3 to 3 pp
        assert np.all(fit.optimal[~normal] >= PROHIBITIVE)  # prohibitive targets stay prohibitive


@pytest.mark.slow
def test_weights_agree_with_the_published_calibration(calibrated, reference_dir):
    """The paper's heuristic and our direct solution of the same criterion give nearly the same weights."""
    _, _, result = calibrated
    published = np.loadtxt(reference_dir / "ossa2014" / "lambda_pol.csv", delimiter=",")
    for j, (ours, theirs) in enumerate(zip(result.weights, published)):
        assert np.corrcoef(ours, theirs)[0, 1] > 0.99, j
    assert np.max(np.abs(result.weights - published)) < 0.2


def test_targets_shape_is_checked(calibrated):
    world, _, _ = calibrated
    with pytest.raises(OptionError, match=r"targets must have shape \(7, 33\)"):
        calibrate_weights(Krugman().calibrate(world), np.zeros((33, 7)))
