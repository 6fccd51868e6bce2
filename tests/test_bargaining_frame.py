"""``Bargaining.to_frame``: threat, solution and frontier in one table (it read a field deals do not have)."""

from __future__ import annotations

import numpy as np

from tariffsim.games import bargain
from tariffsim.models import Krugman
from tariffsim.synthetic import random_world


def test_the_bargaining_table_has_the_threat_the_solution_and_each_frontier_deal():
    calibration = Krugman().calibrate(random_world(3, 2, seed=21, balanced=True))
    result = bargain(calibration, ("C000", "C002"), frontier_points=3, net_exports="zero")
    frame = result.to_frame()
    assert list(frame["point"]) == ["threat", "solution", "frontier", "frontier", "frontier"]
    np.testing.assert_allclose(frame["alpha"].iloc[1:], [0.5, 0.1, 0.5, 0.9])
    gains = frame["C000 gov. welfare %"].to_numpy()
    np.testing.assert_allclose(gains[2:], [100 * (d.government_welfare_hat[0] - 1) for d in result.frontier])
    assert result.threat.upper == 10.0 and result.threat.upper_bound_cells == {}  # an interior war
