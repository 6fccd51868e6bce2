"""Ctrl-C stops a command and leaves nothing behind, every time.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to be. When that is
inside a callback run from C (JAX's garbage-collector hook is one), the exception is "ignored": printed
and swallowed, and the command would go on to finish and write its files. So the handler installed here
also *remembers* the interrupt, and every place that makes output visible asks first:

- ``install()`` (the CLI entry point calls it first thing) sets the handler and hides the "Exception
  ignored ... KeyboardInterrupt" noise of a swallowed interrupt.
- ``raise_if_interrupted()`` raises KeyboardInterrupt if a SIGINT ever arrived; ``atomic`` calls it just
  before a temporary file or folder is renamed into place, so no output appears after Ctrl-C.
- ``deferred()`` holds SIGINT back while a set of outputs is renamed into place (the renames are quick),
  so an interrupt can never split that set; the caller undoes the renames if one arrived meanwhile.
- ``finished()`` is called once the outputs are in place: from then on SIGINT is ignored, so a command
  either completed (files written, exit 0) or was interrupted (nothing written, exit 130).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

MESSAGE = "interrupted; nothing written"
EXIT_CODE = 130
RETRY_SECONDS = 0.05
"""A Ctrl-C that lands in an import is raised this much later, after the import."""

_state = {"installed": False, "interrupted": False, "deferring": False}


def install() -> None:
    """Route SIGINT through this module (main thread only; a no-op elsewhere)."""
    try:
        signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread (e.g. called inside a test runner's worker thread)
        return
    _state["installed"] = True
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous(unraisable)

    sys.unraisablehook = hook


def interrupted() -> bool:
    """Whether a SIGINT arrived since ``install()``."""
    return _state["interrupted"]


def raise_if_interrupted() -> None:
    """KeyboardInterrupt if a SIGINT arrived, even one that a C callback swallowed."""
    if _state["interrupted"]:
        raise KeyboardInterrupt


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT back inside the block: it is only recorded (see ``interrupted()``), never raised."""
    before = _state["deferring"]
    _state["deferring"] = True
    try:
        yield
    finally:
        _state["deferring"] = before


@contextlib.contextmanager
def shielded_children() -> Iterator[None]:
    """Start worker processes inside this block and they never see Ctrl-C: this process handles it.

    A terminal's Ctrl-C reaches every process of the command; dask's worker processes would each print
    a KeyboardInterrupt traceback. SIGINT is blocked in this thread for the block: threads started
    inside inherit the block (dask's event-loop thread, which spawns the workers), and processes
    inherit it across ``exec``, so the workers never receive SIGINT, and are closed by this process as
    it unwinds. A SIGINT arriving meanwhile stays pending and is handled as the block ends.

    multiprocessing's resource tracker is started first, outside the block: starting it *unblocks*
    SIGINT in the thread that starts it (``resource_tracker.ensure_running`` ends with ``SIG_UNBLOCK``),
    and inside the block that thread would be dask's event loop, whose workers then got Ctrl-C again.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def finished() -> None:
    """The command's outputs are in place: ignore SIGINT from now on (exit 0, not a half-done 130).

    Only in the CLI (after ``install()``): a Python session that writes a file keeps its Ctrl-C."""
    if not _state["installed"]:
        return
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    if not _state["interrupted"]:
        # what the command's libraries log while they unwind (a dask cluster closing its connections)
        # is noise after Ctrl-C: the one message is MESSAGE
        logging.disable(logging.CRITICAL)
    _state["interrupted"] = True
    if _state["deferring"]:
        return
    if _importing(frame):
        # a KeyboardInterrupt inside a C extension's initialisation leaves it half-built ("ImportError:
        # initialization failed", or a segmentation fault later): ask again a moment later
        threading.Timer(RETRY_SECONDS, os.kill, (os.getpid(), signal.SIGINT)).start()
        return
    raise KeyboardInterrupt


def _importing(frame: FrameType | None) -> bool:
    """Whether the interrupted code runs inside the initialisation of a C extension module (Python code
    it calls back, e.g. numpy's C init importing Python modules): a KeyboardInterrupt there breaks it."""
    import importlib.machinery

    while frame is not None:
        if (frame.f_code.co_name in ("create_module", "exec_module")
                and isinstance(frame.f_locals.get("self"), importlib.machinery.ExtensionFileLoader)):
            return True
        frame = frame.f_back
    return False
