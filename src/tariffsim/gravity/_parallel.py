"""Run independent chunks of work serially or through dask.distributed, with the same results either way.

``run_chunks(func, chunks, shared, scheduler=...)`` calls ``func(chunk, **shared)`` for every chunk and
returns the results in chunk order. ``shared`` holds large inputs sent to each worker once.

scheduler  ``"serial"``: in this process, one chunk after another;
           ``"local"``: a dask LocalCluster started for this call and closed after it;
           an address (``"tcp://10.0.0.5:8786"``) or a ``distributed.Client``: an existing cluster
           (connections through ``tariffsim.parallel.client``, shared with the games).

BLAS runs single-threaded while chunks run in this process (serial, or LocalCluster threads):
parallelism comes from the chunks, and a multi-threaded BLAS on small matrices is slow under load
(measured on a busy 2-core machine: a 138 x 138 solve took 0.2 ms on one thread, 80-140 ms on two) and may round
differently. Worker processes started by dask's nanny get ``OPENBLAS_NUM_THREADS=1`` etc. from
dask's default ``distributed.nanny.pre-spawn-environ``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def run_chunks(
    func: Callable[..., Any],
    chunks: Sequence[Any],
    shared: Mapping[str, Any],
    *,
    scheduler: Any = "local",
    workers: int | None = None,
    processes: bool = True,
    progress: Callable[[int], None] | None = None,
    sizes: Sequence[int] | None = None,
    timeout: float | None = None,
) -> list[Any]:
    """Results of ``func(chunk, **shared)`` for each chunk, in order.

    workers, processes  LocalCluster size and whether workers are processes (True) or threads
    progress            called with ``sizes[k]`` (default 1) as chunk k finishes, in finishing order
    timeout             seconds to wait for all chunks on a cluster; then TimeoutError
    """
    from threadpoolctl import threadpool_limits

    sizes = list(sizes) if sizes is not None else [1] * len(chunks)
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(func, chunks, shared, sizes, scheduler, workers, processes, progress, timeout)


def _run(func, chunks, shared, sizes, scheduler, workers, processes, progress, timeout) -> list[Any]:
    if scheduler == "serial":
        results = []
        for chunk, size in zip(chunks, sizes, strict=True):
            results.append(func(chunk, **shared))
            if progress is not None:
                progress(size)
        return results
    from distributed import as_completed

    from tariffsim.parallel import client as dask_client

    with dask_client(scheduler, workers=workers, processes=processes, timeout=timeout) as client:
        remote = {key: client.scatter(value, broadcast=True) for key, value in shared.items()}
        futures = [client.submit(func, chunk, pure=False, **remote) for chunk in chunks]
        position = {future.key: k for k, future in enumerate(futures)}
        results: list[Any] = [None] * len(chunks)
        for future in as_completed(futures, timeout=timeout):
            k = position[future.key]
            results[k] = future.result()
            if progress is not None:
                progress(sizes[k])
        return results
