"""The app factory: ``create_app(Settings(...))`` gives the FastAPI app that ``tariffsim serve`` runs.

Everything the pages need is served by the app itself (``static/``: one stylesheet, one small script;
no CDN). Templates are Jinja2 with autoescaping on, so user text (a title, a country name, an error
message quoting a value) is always shown as text.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tariffsim.errors import OptionError
from tariffsim.web import security, worlds
from tariffsim.web.jobs import JobQueue

MAX_BODY = 256_000
"""Largest request body (bytes): a scenario form or pasted TOML of up to 64,000 characters fits."""
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
"""The repository's examples folder (present in a source checkout)."""


@dataclass(frozen=True)
class Settings:
    """How the app runs.

    Attributes:
        host: the address served; anything other than loopback needs ``token``.
        token: the access token every request must carry (None: none needed, loopback only).
        runs_db: the runs store (``tariffsim.store``; None: its default path).
        workers: runs solved at once.
        queue: most runs queued or running at once (one more gets HTTP 429).
        kept: finished runs whose results stay in memory for their pages (the oldest are forgotten; an
            icio2022 run holds 28,000 result rows, 2.5 MB).
        max_body: largest request body in bytes.
        examples: folder of example scenarios offered in the form (``*.toml`` directly in it).
        warm_up: on start, find the data sets and calibrate the default model on the default world in a
            background thread, so the first page and the first run do not wait for them.
    """

    host: str = "127.0.0.1"
    token: str | None = None
    runs_db: Path | None = None
    workers: int = 1
    queue: int = 32
    max_body: int = MAX_BODY
    examples: Path | None = field(default_factory=lambda: EXAMPLES if EXAMPLES.is_dir() else None)
    warm_up: bool = False
    kept: int = 50

    def check(self) -> None:
        if not security.is_loopback(self.host) and not self.token:
            raise OptionError(f"serving on {self.host} (not this machine's loopback) needs an access token: "
                              "give --token TOKEN (every request must then carry it)")
        if self.workers < 1 or self.queue < 1:
            raise OptionError(f"workers = {self.workers}, queue = {self.queue}: both must be at least 1")


def create_app(settings: Settings | None = None):
    """The tariffsim web app (FastAPI) for ``settings``; its ``state`` holds the settings and the job queue."""
    import jinja2
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates

    from tariffsim.web import routes

    settings = settings or Settings()
    settings.check()
    jobs = JobQueue(settings.workers, settings.queue, settings.kept)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if settings.warm_up:
            threading.Thread(target=worlds.warm_up, name="tariffsim-warm-up", daemon=True).start()
        yield
        jobs.shutdown()

    app = FastAPI(title="tariffsim", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    package = resources.files("tariffsim.web")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(package / "templates")), autoescape=True)
    environment.filters["number"] = number
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.templates = Jinja2Templates(env=environment)
    app.mount("/static", StaticFiles(directory=str(package / "static")), name="static")
    app.include_router(routes.router)
    security.install(app, host=settings.host, token=settings.token, max_body=settings.max_body)
    return app


def number(value, style: str = "%.3f") -> str:
    """A table cell: ``style`` for a number, ``n/a`` for NaN or None (a change from a zero baseline)."""
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return style % value if isinstance(value, int | float) else str(value)
