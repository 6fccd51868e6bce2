"""The Caliendo-Parro model from the command line on the cp2015 data: NAFTA with both deficit treatments
and its welfare decomposition table, the TPP comparison table, the US auto tariff with and without
input-output links."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cp2015"
TPP = ("Australia", "Canada", "Chile", "Japan", "Mexico", "New Zealand", "USA")
OUTSIDERS = ("China", "Korea", "Row")
pytestmark = pytest.mark.data


def run(data_dir: Path, *args: str):
    result = CliRunner().invoke(app, [*args, "--model", "caliendo_parro", "--data", str(data_dir / "cp2015")])
    assert result.exit_code == 0, result.output
    return result.output


def table_rows(output: str, title: str) -> dict[str, list[float]]:
    """The numbers of each row of the printed table whose title starts with ``title``."""
    lines = output[output.index(title):].splitlines()
    rows = {}
    for line in lines[lines.index(next(x for x in lines if x.startswith("┡"))) + 1:]:
        if line.startswith("└"):
            return rows
        label, *cells = (cell.strip() for cell in line.strip("│").split("│"))
        rows[label] = [float(cell.replace(",", "")) for cell in cells]
    raise AssertionError(f"table {title!r} has no end")


def country_values(document: dict, variable: str) -> pd.Series:
    rows = pd.DataFrame(document["results"])
    return rows[(rows.level == "country") & (rows.variable == variable)].set_index("country").value


@pytest.fixture(scope="module")
def nafta(data_dir, tmp_path_factory):
    """(printed output, JSON document) of NAFTA with the data's deficits and with none (--purge)."""
    folder = tmp_path_factory.mktemp("nafta")
    runs = {}
    for deficits, options in (("data", ()), ("zero", ("--purge",))):
        path = folder / f"{deficits}.json"
        output = run(data_dir, "solve", "--scenario", str(EXAMPLES / "nafta.toml"), "--json", str(path), "--all-countries", *options)
        runs[deficits] = output, json.loads(path.read_text())
    return runs


@pytest.mark.parametrize("deficits", ["data", "zero"])
def test_nafta_solves_and_mexico_exports_more(nafta, deficits):
    _, document = nafta[deficits]
    assert document["model"] == "caliendo_parro" and document["scenario"]["purged"] == (deficits == "zero")
    assert document["solver"]["max_residual"] <= 1e-10
    exports = country_values(document, "exports")
    assert exports["Mexico"] > 0 and exports["Mexico"] > exports.drop(["Mexico", "Canada", "USA"]).max()


def test_purge_solves_from_a_baseline_without_deficits(nafta):
    imposed = {d: country_values(document, "net_exports_new") for d, (_, document) in nafta.items()}
    exports = country_values(nafta["zero"][1], "exports_new")
    assert imposed["zero"].abs().max() < 1e-9 * exports.sum()
    assert imposed["data"].abs().max() > 1e-3 * exports.sum()  # the data's deficits are not zero


@pytest.mark.parametrize("deficits", ["data", "zero"])
def test_solve_prints_the_welfare_parts_beside_the_exact_change(nafta, deficits):
    output, document = nafta[deficits]
    title = "Welfare (% change): Caliendo-Parro terms-of-trade (ToT) and volume-of-trade (VoT) parts"
    header = output[output.index(title):].splitlines()[2]
    assert [h.strip() for h in header.strip("┃").split("┃")] == ["country", "ToT", "VoT", "sum (paper's measure)",
                                                                 "exact", "real wage"]
    rows = table_rows(output, title)
    assert len(rows) == 31
    welfare, tot, vot = (country_values(document, v) for v in ("welfare", "terms_of_trade", "trade_volume"))
    for country in ("Canada", "Mexico", "USA"):
        tot_printed, vot_printed, total, exact, _ = rows[country]
        assert tot_printed == pytest.approx(tot[country], abs=0.005)
        assert vot_printed == pytest.approx(vot[country], abs=0.005)
        assert total == pytest.approx(tot[country] + vot[country], abs=0.005)
        assert exact == pytest.approx(welfare[country], abs=0.005)


def test_tpp_comparison_is_one_readable_table_per_measure(data_dir):
    output = run(data_dir, "compare", *(arg for name in ("japan_us", "tpp_with_us", "tpp_without_us")
                                        for arg in ("-s", str(EXAMPLES / f"{name}.toml"))))
    assert max(len(line) for line in output.splitlines() if line.startswith(("┃", "│"))) <= 80
    for title in ("Welfare, % change", "Exports, % change"):
        header = output[output.index(title):].splitlines()[2]
        assert [h.strip() for h in header.strip("┃").split("┃")] == ["country", "japan_us", "tpp_with_us",
                                                                     "tpp_without_us"]
        rows = table_rows(output, title)
        assert list(rows)[:len(TPP)] == list(TPP) and set(OUTSIDERS) < set(rows) and len(rows) == 31
    exports = table_rows(output, "Exports, % change")
    assert exports["USA"][1] > max(exports["USA"][0], exports["USA"][2])  # the US gains most access in the TPP
    assert exports["Japan"][0] > 0 and all(exports[c][1] > 0 for c in TPP)
    assert all(exports[c][1] < 0 for c in OUTSIDERS)  # trade diverted away from those left out


def test_input_output_links_make_the_auto_tariff_costlier(data_dir, tmp_path):
    welfare = {}
    for links, options in (("with", ()), ("without", ("--no-io-links",))):
        path = tmp_path / f"{links}.json"
        output = run(data_dir, "solve", "-s", str(EXAMPLES / "us_autos_japan.toml"), "--json", str(path), *options)
        document = json.loads(path.read_text())
        assert document["scenario"].get("io_links", True) == (links == "with")
        assert ("without input-output links" in output) == (links == "without")
        assert document["solver"]["max_residual"] <= 1e-10
        welfare[links] = country_values(document, "welfare")
    for country in ("USA", "Japan"):  # both lose, and lose more when Japanese parts feed US car makers
        assert welfare["with"][country] < welfare["without"][country] < 0


def test_no_io_links_needs_the_caliendo_parro_model():
    result = CliRunner().invoke(app, ["solve", "-d", "demo", "-s", str(EXAMPLES.parent / "us_autos_japan.toml"),
                                      "--no-io-links"])
    assert result.exit_code == 1 and "--no-io-links applies to --model caliendo_parro only" in result.output
