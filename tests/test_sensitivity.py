"""--elasticity all: one scenario under every elasticity set, verified, with the range of answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.io import read_world
from tariffsim.models import Krugman
from tariffsim.policy import Policy
from tariffsim.scenario import scenario_from_dict
from tariffsim.sensitivity import range_table, solve_under_sets

CARS = {"title": "cars", "description": "US +25 points on Japanese motor vehicles",
        "change": [{"description": "cars", "importers": ["USA"], "exporters": ["JPN"], "sectors": ["C29"],
                    "add_points": 25}]}


def test_every_set_is_solved_verified_and_summarised(data_dir, tmp_path):
    world = read_world(data_dir / "tariffwar" / "ICIO2022.mat")
    plan = scenario_from_dict(CARS, "cars.toml")
    results = solve_under_sets(Krugman(), world, plan)
    assert [r.elasticity for r in results] == list(world.elasticities) and len(results) == 8
    assert all(r.max_residual <= 1e-10 for r in results)
    # each set's answer is the one a plain solve with that set gives
    cp = world.with_elasticity("CP")
    direct = Krugman().solve(Krugman().calibrate(cp), plan.apply(cp))
    table = range_table(results)
    japan = table.loc["JPN"]
    assert japan["CP"] == (direct.welfare_hat[cp.country_index("JPN")] - 1) * 100
    sets = japan[list(world.elasticities)].astype(float)
    assert japan["lowest"] == sets.min() and japan["highest"] == sets.max() and japan["median"] == sets.median()
    assert japan["lowest under"] == sets.idxmin() and sets.max() > sets.min()  # the sets do disagree


def test_the_cli_prints_the_range_and_writes_every_solution(data_dir, tmp_path):
    scenario = tmp_path / "cars.toml"
    scenario.write_text('title = "cars"\ndescription = "d"\n[[change]]\ndescription = "c"\nimporters = ["USA"]\n'
                        'exporters = ["JPN"]\nsectors = ["C29"]\nadd_points = 25\n')
    result = CliRunner().invoke(app, ["solve", "--data", str(data_dir / "tariffwar" / "WIOD2014.mat"), "-s",
                                      str(scenario), "--elasticity", "all", "--json", str(tmp_path / "all.json"),
                                      "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 1 and "unknown sector" in result.output  # WIOD has no C29 of its own
    scenario.write_text(scenario.read_text().replace('"C29"', '"C29_30"'))
    result = CliRunner().invoke(app, ["solve", "--data", str(data_dir / "tariffwar" / "WIOD2014.mat"), "-s",
                                      str(scenario), "--elasticity", "all", "--json", str(tmp_path / "all.json"),
                                      "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "under 8 elasticity sets" in result.output and "all 8 equilibria verified" in result.output
    document = json.loads((tmp_path / "all.json").read_text())
    assert document["schema"] == "tariffsim.sensitivity" and len(document["solutions"]) == 8
    for name, solution in document["solutions"].items():
        assert solution["assumptions"]["elasticity_set"] == name and solution["solver"]["max_residual"] <= 1e-10
    long = pd.read_csv(tmp_path / "csv" / "results.csv")
    assert sorted(long["elasticity"].unique()) == sorted(document["sets"])
    ranges = pd.read_csv(tmp_path / "csv" / "range.csv").set_index("country")
    assert np.isclose(ranges.loc["JPN", "median"], ranges.loc["JPN", document["sets"]].median())


def test_a_world_with_one_set_is_refused(tmp_path):
    examples = Path(__file__).resolve().parent.parent / "examples"
    result = CliRunner().invoke(app, ["solve", "--data", "demo", "-s", str(examples / "us_autos_japan.toml"),
                                      "--elasticity", "all"])
    assert result.exit_code == 1 and "needs a world with several elasticity sets" in result.output
