"""The game commands through typer's CliRunner: tables, JSON schema, cache reuse and resume, errors.

Demo-world runs use two players, MFN tariffs and --scheduler serial (dask is tested in test_parallel);
JAX compiles once per test process, so later runs are fast.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app

runner = CliRunner()
DEMO = ("--data", "demo", "--scheduler", "serial")


def run(*args: str):
    return runner.invoke(app, list(args))


def tariffs(document: dict) -> dict:
    return {(r["exporter"], r["importer"], r["sector"]): r["tariff"] for r in document["tariffs"]}


@pytest.mark.parametrize("command", ["optimal", "nash", "talks"])
def test_help_has_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output and f"tariffsim {command} --data" in result.output


def test_an_interrupted_nash_run_resumes_from_its_last_completed_round(tmp_path):
    cache = str(tmp_path / "cache")
    war = ("nash", *DEMO, "--countries", "USA,JPN", "--mfn", "--cache", cache)
    interrupted = run(*war, "--max-rounds", "2")
    assert interrupted.exit_code == 1 and "not converged after 2 rounds" in interrupted.output
    resumed = run(*war, "--json", str(tmp_path / "resumed.json"))
    assert resumed.exit_code == 0, resumed.output
    assert "round 1: 2 of 2 best responses reused from the cache" in resumed.output
    assert "round 2: 2 of 2 best responses reused from the cache" in resumed.output
    assert "round 3: " in resumed.output and "round 3: 2 of 2" not in resumed.output
    fresh = run(*war, "--no-cache", "--json", str(tmp_path / "fresh.json"))
    assert fresh.exit_code == 0 and "reused" not in fresh.output
    document = json.loads((tmp_path / "resumed.json").read_text())
    assert tariffs(document) == tariffs(json.loads((tmp_path / "fresh.json").read_text()))
    assert document["schema"] == "tariffsim.games.nash" and document["options"]["players"] == ["USA", "JPN"]
    assert document["solver"]["max_gain"] <= 1e-7 and document["solver"]["equilibrium_residual"] <= 1e-10
    assert len(document["rounds"]) == document["solver"]["rounds"] >= 3
    assert {r["importer"] for r in document["tariffs"]} == {"USA", "JPN"} and len(document["tariffs"]) == 2 * 4 * 6
    by_importer = {}
    for (_, importer, sector), value in tariffs(document).items():
        by_importer.setdefault((importer, sector), set()).add(value)
    assert all(len(values) == 1 for values in by_importer.values())  # MFN: one tariff per importer and sector
    assert "Nash MFN tariff war among USA, JPN" in resumed.output and "KKT residual" in resumed.output


def test_optimal_tariffs_table_json_and_reuse(tmp_path):
    args = ("optimal", *DEMO, "--country", "JPN", "--mfn", "--cache", str(tmp_path / "c"))
    first = run(*args, "--json", str(tmp_path / "first.json"))
    assert first.exit_code == 0, first.output
    assert "Optimal MFN tariffs" in first.output and "Effects of JPN's optimal tariffs on every country" in first.output
    second = run(*args, "--json", "-")
    assert second.exit_code == 0 and "reusing the cached optimal tariffs of JPN" in second.output
    document = json.loads(second.stdout)
    assert document == json.loads((tmp_path / "first.json").read_text())
    rows = {r["country"]: r for r in document["countries"]}
    assert rows["JPN"]["government_welfare_pct"] > 0 and document["solver"]["JPN"]["kkt_residual"] <= 1e-6
    assert {r["importer"] for r in document["tariffs"]} == {"JPN"}


def test_talks_give_equal_gains(tmp_path):
    result = run("talks", *DEMO, "--countries", "USA,JPN", "--mfn", "--no-cache", "--json", "-")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    gains = {r["country"]: r["government_welfare_pct"] for r in document["countries"]}
    assert gains["USA"] == pytest.approx(gains["JPN"], abs=1e-5)
    assert gains["USA"] == pytest.approx(document["solver"]["common_gain_pct"], abs=1e-5) and gains["USA"] > 0
    assert document["options"]["baseline"] == "factual" and document["solver"]["equal_gain_residual"] <= 1e-8


def test_a_weights_file_is_used_and_its_errors_are_located(tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("country,gro,ofd,i_s,mvh,ele,ome\n" + "".join(
        f"{c},1,1,1,{5 if c == 'JPN' else 1},1,1\n" for c in ("USA", "JPN", "CHN", "EU", "ROW")))
    args = ("optimal", *DEMO, "--country", "JPN", "--mfn", "--no-cache", "--json", "-")
    weighted, plain = run(*args, "--weights", str(good)), run(*args)
    assert weighted.exit_code == 0, weighted.output
    assert json.loads(weighted.stdout)["options"]["weights"] == str(good)
    assert tariffs(json.loads(weighted.stdout)) != tariffs(json.loads(plain.stdout))
    bad.write_text(good.read_text().replace("JPN,1", "JPN,-1"))
    result = run(*args, "--weights", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "weights must be finite and >= 0 at bad.csv line 3, column 'gro' (value: -1.0)" in result.output


@pytest.mark.parametrize("args, message", [
    (("talks", *DEMO, "--baseline", "nsh"), "--baseline 'nsh': use factual, nash, free-trade"),
    (("nash", "--data", "demo", "--scheduler", "nowhere", "--countries", "USA,JPN"), "write it as tcp://HOST:PORT"),
    (("nash", *DEMO, "--countries", "USA,JPM"), "Did you mean 'JPN'"),
    (("optimal", *DEMO, "--country", "JPN", "--net-exports", "balanced"), "--net-exports 'balanced': use fixed or zero"),
])
def test_bad_options_are_one_clear_error(args, message):
    result = run(*args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


@pytest.mark.data
@pytest.mark.slow
def test_optimal_mfn_tariffs_of_japan_on_the_ossa_data(data_dir, tmp_path):
    result = run("optimal", "--data", str(data_dir / "ossa2014"), "--purge", "--net-exports", "zero", "--country",
                 "JPN", "--mfn", "--scheduler", "serial", "--no-cache", "--json", str(tmp_path / "jpn.json"))
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "jpn.json").read_text())
    rows = {r["country"]: r for r in document["countries"]}
    assert rows["JPN"]["government_welfare_pct"] > 0 and document["solver"]["JPN"]["kkt_residual"] <= 1e-6
    assert np.median([r["tariff"] for r in document["tariffs"]]) > 0.1  # optimal tariffs are far above zero
    assert len(document["tariffs"]) == 6 * 33
