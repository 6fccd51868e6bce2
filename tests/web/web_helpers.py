"""Helpers of the web app tests (imported by the test modules and conftest): an app on a fresh runs
store with its test client, the seed scenario's form, running a form to the end."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
import urllib.request

from fastapi.testclient import TestClient

from tariffsim.web import Settings, create_app

BASE = "http://127.0.0.1:8000"
SAME_ORIGIN = {"Origin": BASE}
SEED_FORM = {"world": "demo", "model": "krugman", "title": "US tariff on Japanese cars",
             "change-0-importers": "USA", "change-0-exporters": "JPN", "change-0-sectors": "mvh",
             "change-0-action": "add_points", "change-0-value": "25",
             "change-0-description": "US adds 25 points on Japanese motor vehicles"}
"""The seed scenario (the US adds 25 points on Japanese motor vehicles) on the small demo world."""


def make_client(tmp_path, **settings) -> TestClient:
    app = create_app(Settings(runs_db=tmp_path / "runs.sqlite", **settings))
    return TestClient(app, base_url=BASE, headers=SAME_ORIGIN)


def wait(client: TestClient, job_url: str, limit: float = 60.0) -> dict:
    """The job's final status (polling its status URL), failing after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status = client.get(f"{job_url}/status").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"{job_url} still running after {limit} s")


def run(client: TestClient, form: dict) -> str:
    """POST the form to /run, wait for the job; its URL."""
    response = client.post("/run", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    assert wait(client, url)["state"] == "done", client.get(f"{url}/status").json()
    return url


@contextlib.contextmanager
def serving(tmp_path, *options: str, limit: float = 60.0):
    """``tariffsim serve --port 0`` in a child process on 127.0.0.1 (a fresh runs store); yields
    (base URL, seconds until it answered), and stops it."""
    command = [sys.executable, "-m", "tariffsim", "serve", "--port", "0", "--runs-db", str(tmp_path / "runs.sqlite"),
               *options]
    started = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    drain = threading.Thread(target=process.stderr.read, daemon=True)  # keeps its pipe from filling
    try:
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, f"tariffsim serve said {line!r}"
        url = found.group(0)
        drain.start()
        while time.monotonic() - started < limit:
            try:
                with urllib.request.urlopen(url + "/static/app.css", timeout=5):
                    break
            except OSError:
                time.sleep(0.05)
        yield url, time.monotonic() - started
    finally:
        process.terminate()
        process.wait(10)
        if drain.ident is not None:  # started
            drain.join(10)
        process.stderr.close()
