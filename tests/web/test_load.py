"""Load on 127.0.0.1 only, bounded in count and time: 20 concurrent solve requests to `tariffsim serve`
all complete, none lost, each with the results of the same scenario solved by `tariffsim solve`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from web_helpers import serving

from tariffsim.web.app import EXAMPLES

pytestmark = pytest.mark.slow
REQUESTS = 20
DEADLINE = 120.0
"""Seconds for all requests together; each HTTP call also times out after 30 s."""
SCENARIO = EXAMPLES / "us_autos_japan.toml"


def solve_request(url: str, text: str) -> dict:
    """POST the scenario to /run (same origin), follow the job until it ends; its status and JSON results."""
    body = urllib.parse.urlencode({"world": "icio2022", "model": "krugman", "toml": text}).encode()
    request = urllib.request.Request(url + "/run", body, headers={"Origin": url})
    with urllib.request.urlopen(request, timeout=30) as response:  # follows the 303 to /jobs/ID
        job = response.geturl()
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        with urllib.request.urlopen(job + "/status", timeout=30) as response:
            status = json.load(response)
        if status["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    with urllib.request.urlopen(job + "/results.json", timeout=30) as response:
        return {"status": status, "document": json.load(response)}


def frame(document: dict) -> pd.DataFrame:
    return pd.DataFrame(document["results"]).set_index(["level", "country", "partner", "sector", "variable"])


def test_twenty_concurrent_solves_equal_the_cli(tmp_path):
    cli_json = tmp_path / "cli.json"
    subprocess.run([sys.executable, "-m", "tariffsim", "solve", "--data", "icio2022", "--scenario", str(SCENARIO),
                    "--json", str(cli_json)], check=True, capture_output=True, timeout=120)
    expected = frame(json.loads(cli_json.read_text()))
    text = SCENARIO.read_text()
    with serving(tmp_path) as (url, _):
        started = time.monotonic()
        with ThreadPoolExecutor(REQUESTS) as pool:
            answers = list(pool.map(lambda _: solve_request(url, text), range(REQUESTS), timeout=DEADLINE))
        elapsed = time.monotonic() - started
    print(f"{REQUESTS} concurrent solves in {elapsed:.1f} s")
    assert len(answers) == REQUESTS
    assert len({a["status"]["id"] for a in answers}) == REQUESTS, "every request is its own job"
    for answer in answers:
        assert answer["status"]["state"] == "done", answer["status"]
        got = frame(answer["document"])
        assert got.index.equals(expected.index)
        assert (got["unit"] == expected["unit"]).all()
        np.testing.assert_allclose(got["value"].to_numpy(float), expected["value"].to_numpy(float),
                                   rtol=1e-9, atol=1e-12, equal_nan=True)
