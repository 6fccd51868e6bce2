"""A bounded queue of background jobs: every run of the web app is one, so no request waits on a solve.

``JobQueue(workers, capacity)`` runs at most ``workers`` jobs at once (threads) and holds at most
``capacity`` jobs that are queued or running: one more is refused (``QueueFull``, HTTP 429), so one
user cannot pile up unbounded work. A job is ``queued``, ``running``, ``done``, ``failed`` (its error
message kept) or ``cancelled``. ``cancel`` drops a queued job at once; a running one is told through
``Job.cancelled`` (an Event the work checks between its stages) and its result is discarded. Finished
jobs are kept for their result pages, the oldest forgotten beyond ``kept``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tariffsim.errors import TariffsimError

FINISHED = ("done", "failed", "cancelled")


class QueueFull(Exception):
    """The queue holds ``capacity`` unfinished jobs already."""


class Cancelled(Exception):
    """Raised by a job's work when it sees that it was cancelled."""


@dataclass
class Job:
    """One piece of work and what became of it."""

    id: str
    label: str
    state: str = "queued"
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    stage: str = "waiting for a free worker"
    result: Any = None
    error: str = ""
    cancelled: threading.Event = field(default_factory=threading.Event)
    future: Future | None = field(default=None, repr=False)

    def step(self, stage: str) -> None:
        """Say what the job does now (shown on its page); raise Cancelled if it was cancelled."""
        if self.cancelled.is_set():
            raise Cancelled
        self.stage = stage

    @property
    def elapsed(self) -> float:
        end = self.finished or time.monotonic()
        return end - (self.started or self.submitted)

    def status(self) -> dict:
        return {"id": self.id, "label": self.label, "state": self.state, "stage": self.stage,
                "elapsed_seconds": round(self.elapsed, 2), "error": self.error or None}


class JobQueue:
    """See the module docstring."""

    def __init__(self, workers: int = 1, capacity: int = 32, kept: int = 200):
        self.capacity, self.kept = capacity, kept
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tariffsim-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, label: str, work: Callable[[Job], Any]) -> Job:
        """Queue ``work(job)``; QueueFull when ``capacity`` jobs are unfinished."""
        with self._lock:
            if self.unfinished() >= self.capacity:
                raise QueueFull(f"{self.capacity} runs are queued or running already; wait for one to finish "
                                "(or cancel one) and try again")
            job = Job(secrets.token_urlsafe(9), label)
            self._jobs[job.id] = job
            self._forget_old()
        job.future = self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def cancel(self, job: Job) -> None:
        job.cancelled.set()
        if job.future is not None and job.future.cancel():
            self._finish(job, "cancelled")

    def unfinished(self) -> int:
        return sum(job.state not in FINISHED for job in self._jobs.values())

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            if job.state not in FINISHED:
                self.cancel(job)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, work: Callable[[Job], Any]) -> None:
        job.started, job.state = time.monotonic(), "running"
        try:
            job.step("starting")
            job.result = work(job)
            job.step("finished")
        except Cancelled:
            self._finish(job, "cancelled")
        except TariffsimError as error:
            job.error = str(error)
            self._finish(job, "failed")
        except Exception as error:  # noqa: BLE001 (a bug: say so on the page, never leave the job "running")
            job.error = f"internal error ({type(error).__name__}: {error}); please report it"
            self._finish(job, "failed")
        else:
            self._finish(job, "done")

    @staticmethod
    def _finish(job: Job, state: str) -> None:
        job.finished, job.state = time.monotonic(), state
        if state == "cancelled":
            job.result, job.stage = None, "cancelled"

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state in FINISHED]
        for key in finished[:max(0, len(self._jobs) - self.kept)]:
            del self._jobs[key]
