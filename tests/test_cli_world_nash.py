"""``tariffsim nash --method stacked`` / ``--convention tariffwar`` from the command line."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from tariffsim.cli import app


def test_a_world_war_in_the_tariffwar_convention_runs_and_writes_its_verification(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    result = CliRunner().invoke(app, ["nash", "--data", "wiod2014", "--elasticity", "U4", "--convention", "tariffwar",
                                      "--check", "2", "--json", str(tmp_path / "war.json"),
                                      "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "Uniform Nash tariff war — armington model, WIOD 2014" in result.output and "Verified:" in result.output
    document = json.loads((tmp_path / "war.json").read_text())
    facts = document["verification"]
    assert facts["equilibrium_residual"] <= 1e-10 and facts["foc_residual"] <= 1e-8 and facts["max_gain"] <= 1e-7
    assert document["convention"]["name"] == "tariffwar" and document["assumptions"]["elasticity_set"] == "U4"
    countries = pd.read_csv(tmp_path / "csv" / "countries.csv").set_index("country")
    assert len(countries) == 44 and (countries["tariff %"] > 0).all() and (countries["tariff %"] <= 100).all()
    tariffs = pd.read_csv(tmp_path / "csv" / "tariffs.csv")
    assert len(tariffs) == 44 and set(tariffs["partner"]) == {"*"}  # one uniform tariff per country


def test_a_bad_mode_is_one_error_line(data_dir, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    result = CliRunner().invoke(app, ["nash", "--data", "ossa2014", "--method", "stacked", "--mode", "uniformm"])
    assert result.exit_code == 1 and "mode 'uniformm': use uniform, mfn, discriminatory" in result.output


def test_a_stacked_optimum_failing_on_fixed_imbalances_names_the_cause_and_the_command_line_options(data_dir,
                                                                                                     monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    runner = CliRunner()
    failed = runner.invoke(app, ["optimal", "--data", "ossa2014", "--country", "USA", "--method", "stacked"])
    assert failed.exit_code == 1, failed.output
    text = " ".join(failed.output.split())
    assert "Likely cause: net exports are fixed at the data's imbalances (USA's deficit is" in text
    assert "Command line: run with --purge, or --net-exports zero" in text
    assert "max_steps=..." in text and "for the Python API only: the command line has no option" in text
    assert "Traceback" not in text
    # the option named helps: with zero net exports the same optimum solves and is verified
    solved = runner.invoke(app, ["optimal", "--data", "ossa2014", "--country", "USA", "--method", "stacked",
                                 "--net-exports", "zero"])
    assert solved.exit_code == 0, solved.output
    assert "Verified:" in solved.output


def test_without_fixed_imbalances_the_stacked_hint_names_no_imbalance_and_marks_the_python_options():
    from tariffsim.games.world_nash import what_to_try
    from tariffsim.synthetic import random_world

    world = random_world(3, 2, seed=0)
    for net_exports in ("zero", "fixed"):
        text = what_to_try(world, net_exports, "another start (start=...)")
        imbalanced = net_exports == "fixed" and abs(world.net_exports).max() > 0
        assert ("Likely cause" in text) == imbalanced and ("--purge" in text) == imbalanced
        assert "Python API:" in text and "another start (start=...)" in text and "for the Python API only" in text
    assert "Try: --mode mfn on the command line" in what_to_try(world, "zero", "start=...")
