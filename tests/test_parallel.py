"""tariffsim.parallel: the same results serially and on a dask LocalCluster, errors that travel back,
clusters that are always closed. Calls on a cluster carry a timeout so nothing can hang."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import nash_tariffs
from tariffsim.models import Krugman
from tariffsim.parallel import client, executor, relayed
from tariffsim.synthetic import random_world

TIMEOUT = 240  # seconds for one map on a cluster (workers compile JAX functions on their first piece)


def scaled_by(factor: np.ndarray):
    """A local closure over a numpy array: plain pickle cannot ship it, cloudpickle can."""
    def apply(k: int, offset: float) -> np.ndarray:
        if k < 0:
            raise ConvergenceError(f"piece {k} did not converge")
        return factor * k + offset
    return apply


@pytest.fixture(scope="module")
def local_map():
    with executor("local", workers=2, timeout=TIMEOUT) as map_:
        yield map_


def test_serial_map_keeps_order_and_reports_each_piece():
    seen = []
    with executor("serial") as map_:
        results = map_(scaled_by(np.array([1.0, 2.0])), [3, 1, 2], [0.5, 0.0, 0.0],
                       on_result=lambda k, r: seen.append((k, r.tolist())))
    assert [r.tolist() for r in results] == [[3.5, 6.5], [1.0, 2.0], [2.0, 4.0]]
    assert seen == [(0, [3.5, 6.5]), (1, [1.0, 2.0]), (2, [2.0, 4.0])]


def test_cluster_map_equals_serial_map_with_closures_and_reports_every_piece(local_map):
    func = scaled_by(np.array([1.0, 2.0]))
    seen = []
    results = local_map(func, range(6), [0.25] * 6, on_result=lambda k, r: seen.append(k))
    expected = list(map(func, range(6), [0.25] * 6))
    assert all(np.array_equal(a, b) for a, b in zip(results, expected, strict=True))
    assert sorted(seen) == list(range(6))


def test_an_error_on_a_worker_propagates_with_its_type(local_map):
    with pytest.raises(ConvergenceError, match="piece -1 did not converge"):
        local_map(scaled_by(np.ones(1)), [2, -1, 3], [0.0, 0.0, 0.0])


def reporting(report):
    """A piece that reports its progress through ``report`` wherever it runs."""
    def piece(k: int) -> int:
        report("piece", k, 0.5)
        return k
    return piece


def test_progress_reported_on_workers_reaches_this_process(local_map):
    seen = []
    with relayed(local_map, lambda *args: seen.append(args)) as report:
        assert local_map(reporting(report), range(4)) == [0, 1, 2, 3]
        deadline = time.monotonic() + 30  # events travel asynchronously through the scheduler
        while len(seen) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sorted(seen) == [("piece", k, 0.5) for k in range(4)]
    with executor("serial") as map_, relayed(map_, lambda *args: seen.append(args)) as report:
        map_(reporting(report), [7])
    assert seen[-1] == ("piece", 7, 0.5)


@pytest.mark.slow
def test_nash_is_the_same_serially_and_on_a_cluster(local_map):
    calibration = Krugman().calibrate(random_world(3, 2, seed=21, balanced=True))
    serial = nash_tariffs(calibration, net_exports="zero")
    parallel = nash_tariffs(calibration, net_exports="zero", map_=local_map)
    np.testing.assert_array_equal(parallel.tariffs, serial.tariffs)
    np.testing.assert_array_equal(parallel.government_welfare_hat, serial.government_welfare_hat)
    assert [r.max_change for r in parallel.rounds] == [r.max_change for r in serial.rounds]
    assert parallel.solves == serial.solves and len(serial.rounds) > 1


def test_the_local_cluster_is_closed_on_exit():
    with client("local", workers=1) as dask_client:
        cluster = dask_client.cluster
        assert dask_client.submit(sum, [1, 2]).result(timeout=TIMEOUT) == 3
    assert dask_client.status == "closed" and cluster.status.name == "closed"


@pytest.mark.parametrize("scheduler, message", [
    ("", "use 'serial', 'local' or a scheduler address"),
    ("cluster.example.org", "write it as tcp://HOST:PORT"),
    ("tcp://127.0.0.1:9", "cannot reach the dask scheduler at 'tcp://127.0.0.1:9'"),
])
def test_bad_schedulers_are_clear_errors(scheduler, message):
    with pytest.raises(OptionError, match=message):
        with executor(scheduler, timeout=3):
            pass


def test_a_cluster_needs_a_worker():
    with pytest.raises(OptionError, match="at least one worker"):
        with executor("local", workers=0):
            pass
