"""Run the independent pieces of a game (the best responses of a Jacobi round, several countries'
optima) one after another or on dask.distributed, with the same results either way.

``executor(scheduler, workers)`` is a context manager yielding a ``map``-like callable that the games
accept (``nash_tariffs(..., map_=map_)``)::

    with executor("local", workers=2) as map_:
        war = nash_tariffs(calibration, map_=map_)

scheduler  ``"serial"`` (or None): in this process, one piece after another;
           ``"local"``: a dask LocalCluster of ``workers`` single-threaded processes, closed on exit;
           an address (``"tcp://10.0.0.5:8786"``): an existing cluster (its client is closed on exit).

Functions and arguments travel to dask workers with cloudpickle (dask's fallback when pickle fails), so
local closures such as the one ``nash.best_responses`` maps work; their captured values (calibrations
with JAX arrays, numpy cubes) must pickle, and do. Each worker process compiles JAX functions once, on
its first piece. Results come back in input order; the first piece that raises cancels the rest and its
exception propagates unchanged (a ConvergenceError stays a ConvergenceError).

Progress from inside a piece (a replication version reporting its stages on a worker) comes back
through ``relayed(map_, report)``: a callback the pieces call wherever they run; on a cluster it
travels as a dask event to this process, where ``report`` runs (progress bars stay live).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tariffsim import interrupt
from tariffsim.errors import OptionError

MapFunction = Callable[..., list]


@contextlib.contextmanager
def executor(scheduler: str | None = "local", workers: int = 2, *,
             timeout: float | None = None) -> Iterator[MapFunction]:
    """A ``map_(func, *iterables, on_result=None) -> list`` running serially or on dask (see above).

    ``on_result(position, result)``, if given to a call, runs in this process as each piece finishes
    (in finishing order): progress bars, or storing results before the whole call is done.

    Args:
        scheduler: ``"serial"``/None, ``"local"`` or a scheduler address.
        workers: LocalCluster size (ignored otherwise).
        timeout: seconds to wait for the pieces of one call on a cluster; then TimeoutError.
    """
    if scheduler is None or scheduler == "serial":
        yield _serial_map
        return
    with client(scheduler, workers=workers, timeout=timeout) as dask_client:
        yield _DaskMap(dask_client, timeout)


@contextlib.contextmanager
def client(scheduler: Any, *, workers: int | None = 2, processes: bool = True,
           timeout: float | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``"local"`` (a LocalCluster), an address, or a given Client (kept open)."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler:
        raise OptionError(f"scheduler={scheduler!r}: use 'serial', 'local' or a scheduler address such as "
                          "'tcp://127.0.0.1:8786'")
    if scheduler == "local":
        # dashboard_address=":0": the scheduler's HTTP server (on even without the dashboard) takes a free
        # port; with None it still binds 8787 and fails when another cluster holds that port.
        if workers is not None and workers < 1:
            raise OptionError(f"workers={workers}: a LocalCluster needs at least one worker")
        with contextlib.ExitStack() as opened:  # a Ctrl-C held back during the start closes them again
            # silence_logs=CRITICAL: a task's error reaches this process as its future's exception, and a
            # worker that dies is reported here too (KilledWorker); what workers log as the cluster closes
            # under them (after Ctrl-C: "Failed to communicate with scheduler during heartbeat", with a
            # traceback) is noise on the user's terminal.
            with interrupt.shielded_children():
                cluster = opened.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1,
                                                            processes=processes, dashboard_address=":0",
                                                            silence_logs=logging.CRITICAL))
                local = opened.enter_context(Client(cluster))
            yield local
        return
    if "://" not in scheduler:
        raise OptionError(f"scheduler={scheduler!r} is not 'serial', 'local' or an address; write it as "
                          "tcp://HOST:PORT (the address `dask scheduler` prints)")
    try:
        remote = Client(scheduler, timeout=timeout or 30)
    except OSError as error:
        raise OptionError(f"cannot reach the dask scheduler at {scheduler!r}: {error}. Start one with "
                          "`dask scheduler` (and `dask worker ADDRESS`), or use --scheduler local") from error
    with remote:
        yield remote


OnResult = Callable[[int, Any], None]


def _serial_map(func: Callable, *iterables: Iterable, on_result: OnResult | None = None) -> list:
    """``map`` in this process, reporting each finished piece."""
    results = []
    for position, args in enumerate(zip(*iterables, strict=True)):
        results.append(func(*args))
        if on_result is not None:
            on_result(position, results[-1])
    return results


class _DaskMap:
    """``map`` on a dask cluster: one task per piece (never merged with earlier calls), results in order."""

    def __init__(self, dask_client, timeout: float | None):
        self.client, self.timeout = dask_client, timeout

    def __call__(self, func: Callable, *iterables: Iterable, on_result: OnResult | None = None) -> list:
        from distributed import as_completed

        pieces = list(zip(*iterables, strict=True))
        # pure=False: a closure over new data must not be mistaken for an earlier task with the same code.
        futures = [self.client.submit(func, *args, pure=False) for args in pieces]
        position = {future.key: k for k, future in enumerate(futures)}
        results: list[Any] = [None] * len(pieces)
        try:
            for future in as_completed(futures, timeout=self.timeout):
                k = position[future.key]
                results[k] = future.result()
                if on_result is not None:
                    on_result(k, results[k])
        finally:
            self.client.cancel(futures)
        return results


@contextlib.contextmanager
def relayed(map_: MapFunction, report: Callable[..., None]) -> Iterator[Callable[..., None]]:
    """A callback for pieces run by ``map_`` that calls ``report(*args)`` in this process.

    Serially it is ``report`` itself. On dask it logs each call's arguments (which must be msgpack-able:
    strings and numbers) as an event on a topic of its own, and this process's client calls ``report``
    as the events arrive (from the client's event-loop thread; rich progress bars are thread-safe).
    Events still in flight when the block ends are dropped: progress, not results, travels this way.
    """
    if not isinstance(map_, _DaskMap):
        yield report
        return
    topic = f"tariffsim-progress-{uuid.uuid4().hex}"
    map_.client.subscribe_topic(topic, lambda event: report(*event[1]))
    try:
        yield _Emit(topic)
    finally:
        map_.client.unsubscribe_topic(topic)


class _Emit:
    """The worker side of ``relayed``: logs its arguments on the dask topic (picklable, unlike a client)."""

    def __init__(self, topic: str):
        self.topic = topic

    def __call__(self, *args: Any) -> None:
        from distributed import get_worker

        get_worker().log_event(self.topic, list(args))
