"""``tariffsim gravity estimate`` and ``tariffsim gravity ge`` through typer's CliRunner, on the book's data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.gravity import estimate, ge


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "gravity"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["gravity", *map(str, args)])


@pytest.fixture(scope="module")
def app1(data_dir):
    return data_dir / "yotov2016" / "Chapter2Application1.dta"


def test_help_has_an_example_for_each_command():
    result = run("--help")
    assert result.exit_code == 0 and "estimate" in result.output and "ge" in result.output
    for command in ("estimate", "ge"):
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.output and f"tariffsim gravity {command}" in sub.output


def test_estimate_prints_table_and_writes_json_csv_latex(app1, tmp_path, cross_section_2006):
    formula = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
    result = run("estimate", "--data", app1, "--formula", formula, "--year", 2006, "--cluster", "hetero",
                 "--json", tmp_path / "e.json", "--csv", tmp_path / "e.csv", "--latex", tmp_path / "e.tex")
    assert result.exit_code == 0, result.output
    assert "PPML: trade ~ ln_DIST" in result.output and "INTL_BRDR" in result.output
    document = json.loads((tmp_path / "e.json").read_text())
    data = pd.read_stata(app1)
    expected = estimate(data[data["year"] == 2006], formula, vcov="hetero").coefficients
    got = pd.DataFrame(document["coefficients"]).set_index("term")
    np.testing.assert_allclose(got["estimate"], expected["estimate"], rtol=1e-10)
    np.testing.assert_allclose(got["std_error"], expected["std_error"], rtol=1e-10)
    assert document["nobs"] == 69 * 69 and document["vcov"] == "hetero"
    assert list(pd.read_csv(tmp_path / "e.csv")["term"]) == ["ln_DIST", "CNTG", "INTL_BRDR"]
    assert r"\begin{tabular}" in (tmp_path / "e.tex").read_text()


def test_estimate_json_to_stdout_reports_dropped_rows(data_dir):
    data = data_dir / "yotov2016" / "Chapter2Application2.dta"
    result = run("estimate", "-d", data, "-f", "trade ~ RTA | exp_year + imp_year + pair", "-y", 2002, "-y", 2006,
                 "--json", "-")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["coefficients"][0]["term"] == "RTA" and document["years"] == [2002, 2006]
    assert sum(document["dropped"].values()) > 0 and all("separation" in r for r in document["dropped"])


def test_ge_with_draws_writes_json_and_csv(app1, tmp_path, borders_run):
    result = run("ge", "--data", app1, "--experiment", EXAMPLES / "no_borders.toml", "--draws", 4,
                 "--scheduler", "serial", "--json", tmp_path / "g.json", "--csv", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    assert "Trade without borders" in result.output and "95% intervals (monte-carlo, 4 of 4 draws" in result.output
    document = json.loads((tmp_path / "g.json").read_text())
    # the one equilibrium schema of every model, the experiment as its scenario
    assert (document["schema"], document["schema_version"], document["model"]) == ("tariffsim.equilibrium", 2,
                                                                                   "gravity_ge")
    assert document["solver"]["max_residual"] <= 1e-10 and document["solver"]["baseline_max_residual"] <= 1e-10
    assert document["scenario"]["name"] == "Trade without borders" and document["scenario"]["ge"]["reference"] == "DEU"
    assert document["variables"]["country"]["real_gdp"].startswith("real GDP")
    rows = pd.DataFrame(document["results"])
    assert rows.equals(pd.DataFrame(json.loads(borders_run.result.to_frame().to_json(orient="records"))))
    gdp = rows[(rows.level == "country") & (rows.variable == "real_gdp")].set_index("country")["value"]
    expected = borders_run.result.change_percent()[ge.VARIABLES.index("real_gdp")]
    np.testing.assert_allclose(gdp.loc[list(borders_run.costs.countries)], expected, rtol=1e-9)
    country = pd.read_csv(tmp_path / "csv" / "country.csv", keep_default_na=False)
    assert set(country["variable"]) >= set(ge.VARIABLES) and (country["level"] == "country").all()
    assert document["intervals"]["draws"] == 4 and document["intervals"]["failed"] == 0
    intervals = pd.read_csv(tmp_path / "csv" / "intervals.csv")
    assert (intervals["p2.5"] <= intervals["p97.5"]).all() and len(intervals) == 10 * 69
    assert {p.name for p in (tmp_path / "csv").iterdir()} == {
        "country.csv", "bilateral.csv", "coefficients.csv", "intervals.csv", "failures.csv", "assumptions.json"}
    assert json.loads((tmp_path / "csv" / "assumptions.json").read_text())["assumptions"] == document["assumptions"]


def test_ge_bootstrap_from_the_command_line(app1, tmp_path):
    result = run("ge", "-d", app1, "-e", EXAMPLES / "no_borders.toml", "--method", "bootstrap", "--draws", 3,
                 "--seed", 4, "--scheduler", "serial", "--json", tmp_path / "b.json")
    assert result.exit_code == 0, result.output
    intervals = json.loads((tmp_path / "b.json").read_text())["intervals"]
    assert intervals["method"] == "bootstrap-pairs" and intervals["draws"] == 3 and intervals["seed"] == 4
    assert {c["term"] for c in intervals["coefficients"]} == {"ln_DIST", "CNTG", "INTL_BRDR"}


def test_ge_json_to_stdout_without_draws(app1):
    result = run("ge", "-d", app1, "-e", EXAMPLES / "no_borders.toml", "--draws", 0, "--json", "-")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["intervals"] is None and document["scenario"]["year"] == 2006
    assert document["scenario"]["ge"]["kind"] == "full" and document["model"] == "gravity_ge"


@pytest.mark.parametrize("args, message", [
    (("ge", "-d", "{app1}", "-e", "{bad}"), "unknown key 'refrence'. Did you mean 'reference'?"),
    (("ge", "-d", "{app1}", "-e", EXAMPLES / "no_borders.toml", "--year", 2050), "no rows for year 2050"),
    (("ge", "-d", "{app1}", "-e", EXAMPLES / "no_borders.toml", "--method", "jackknife"), "--method 'jackknife'"),
    (("ge", "-d", "{app1}", "-e", EXAMPLES / "no_borders.toml", "-n", 2, "--scheduler", "nonsense"),
     "scheduler='nonsense' is not 'serial', 'local' or an address"),
    (("estimate", "-d", "{txt}", "-f", "trade ~ RTA"), "cannot read gravity data from a .txt file"),
    (("estimate", "-d", "{app1}", "-f", "trade ~ RTA", "--cluster", "cid"), "column(s) ['cid'] not in the data"),
])
def test_errors_are_one_line_and_exit_1(app1, tmp_path, args, message):
    bad = tmp_path / "bad.toml"
    bad.write_text((EXAMPLES / "no_borders.toml").read_text().replace("reference =", "refrence ="))
    txt = tmp_path / "data.txt"
    txt.write_text("x")
    filled = [str(a).format(app1=app1, bad=bad, txt=txt) for a in args]
    result = run(*filled)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
