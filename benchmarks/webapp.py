"""The web app (issue 14 item 3): its start-up time, and the time from request to result page for the
seed scenario (the US adds 25 points on Japanese motor vehicles) on the default world (icio2022).

Start-up: from starting ``tariffsim serve --port 0`` in a fresh process to its listening line, to the
first static file, and to the first form page (which needs the data sets found: the server does that,
and calibrates the default world, in the background as it starts), and until the first run is warm
(``--settle`` seconds after the form page, default 0, before the first run). Request to result: POST
/run (the form's fields), follow the job (its status polled every 20 ms; the page's script polls every
250 ms, so a browser adds up to that), then GET the result page; once cold (reading and calibrating
icio2022, unless the start-up warm-up has done it) and ``--repeat`` times warm: median, min, max, with the job's own solve time beside it.
Records the 1-minute load average (the machine is shared). Prints JSON. Loopback only.

Usage: python benchmarks/webapp.py [--repeat 10] [--settle 0]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SEED = {"world": "icio2022", "model": "krugman", "title": "US tariff on Japanese cars",
        "change-0-importers": "USA", "change-0-exporters": "JPN", "change-0-sectors": "mvh",
        "change-0-action": "add_points", "change-0-value": "25"}


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def wait_for(url: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            get(url)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def request_to_result(url: str) -> dict:
    """Seconds from POST /run to the result page's last byte, and the job's own time."""
    started = time.perf_counter()
    body = urllib.parse.urlencode(SEED).encode()
    request = urllib.request.Request(url + "/run", body, headers={"Origin": url})
    with urllib.request.urlopen(request, timeout=60) as response:
        job = response.geturl()
    while (status := json.loads(get(job + "/status")))["state"] in ("queued", "running"):
        time.sleep(0.02)
    page = get(job).decode()
    total = time.perf_counter() - started
    assert status["state"] == "done" and "<th>JPN</th>" in page, status
    return {"seconds": round(total, 3), "job_seconds": status["elapsed_seconds"]}


def summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after the form page")
    args = parser.parse_args()
    out: dict = {"benchmark": "webapp", "world": "icio2022", "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "tariffsim", "serve", "--port", "0", "--runs-db",
                                    os.path.join(folder, "runs.sqlite")], stderr=subprocess.PIPE, text=True)
        try:
            url = re.search(r"http://127\.0\.0\.1:\d+", process.stderr.readline()).group(0)
            listening = time.perf_counter() - started
            wait_for(url + "/static/app.css")
            answering = time.perf_counter() - started
            get(url + "/")
            form_page = time.perf_counter() - started
            out["startup_seconds"] = {"listening": round(listening, 3), "first_static_file": round(answering, 3),
                                      "first_form_page": round(form_page, 3)}
            time.sleep(args.settle)
            out["first_run"] = request_to_result(url)
            warm = [request_to_result(url) for _ in range(args.repeat)]
            out["warm_seconds"] = summary([w["seconds"] for w in warm])
            out["warm_job_seconds"] = summary([w["job_seconds"] for w in warm])
            out["repeat"] = args.repeat
        finally:
            process.terminate()
            process.wait(10)
            process.stderr.close()
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
