"""The ``tariffsim`` command's entry point (also ``python -m tariffsim``).

It routes Ctrl-C through ``tariffsim.interrupt`` before anything else is imported, so an interrupt at
any moment ends the same way: the message "interrupted; nothing written" on stderr and exit status 130,
with no output file in place. The process then ends with ``os._exit``, skipping interpreter shutdown,
where JAX's compiler threads could otherwise crash an interrupted process (exit 139).
"""

from __future__ import annotations

import os
import sys

# One BLAS thread unless the user says otherwise: the solvers factor small dense systems (a few hundred
# unknowns), where OpenBLAS's second thread only costs synchronisation (the 194-country ilms solve: median
# 35 ms with two threads, 27 ms with one, on this 2-core machine under load; up to 30x worse when the
# other core is busy). Set before numpy is imported (this module imports nothing numerical); dask workers
# inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tariffsim import interrupt  # after the environment is set


def main() -> None:
    interrupt.install()
    code: int | str | None = 0
    try:
        from tariffsim.cli import app

        app()
    except SystemExit as stop:
        code = stop.code
    except BaseException:
        # a Ctrl-C can surface as another error: during the import of a C extension it becomes
        # "ImportError: initialization failed"; after an interrupt, any such error is the interrupt
        if not interrupt.interrupted():
            raise
    if interrupt.interrupted():
        _release_named_semaphores()
        sys.stdout.flush()
        sys.stderr.write(f"{interrupt.MESSAGE}\n")
        sys.stderr.flush()
        os._exit(interrupt.EXIT_CODE)
    sys.exit(code)


def _release_named_semaphores() -> None:
    """Unlink the named semaphores of this process's multiprocessing queues (dask's worker processes),
    which ``os._exit`` would leave behind: multiprocessing's resource tracker, a separate process that
    outlives this one, would then print "There appear to be N leaked semaphore objects" after the
    message. Their finalizers (exit priority 0, as at a normal exit) unlink and unregister them."""
    if "multiprocessing.util" in sys.modules:
        from multiprocessing import util

        util._run_finalizers(0)


if __name__ == "__main__":
    main()
