"""One country's optimum against the world and the others' optimal retaliation (issue 13 item 3)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import OptionError
from tariffsim.games import SearchOptions, optimal_tariffs
from tariffsim.games.retaliation import optimal_against_world, optimal_retaliation
from tariffsim.models import Krugman
from tariffsim.synthetic import random_world


@pytest.fixture(scope="module")
def small():
    """A balanced random world, 4 countries x 3 sectors, Krugman."""
    return Krugman().calibrate(random_world(4, 3, seed=3, balanced=True))


def test_one_country_against_the_world_is_the_engines_optimum(small):
    best = optimal_against_world(small, "C001", mode="mfn", net_exports="zero")
    engine = optimal_tariffs(small, "C001", mfn=True, net_exports="zero",
                             options=SearchOptions(gtol=1e-13, ftol=0.0))
    assert best.players == ("C001",) and best.tariffs.shape == (1, 3)
    np.testing.assert_allclose(best.cube, engine.tariffs, atol=1e-6)
    others = [j for j in range(4) if j != 1]
    np.testing.assert_array_equal(best.cube[:, others, :], small.world.tariffs[:, others, :])  # passive partners
    assert best.foc_residual <= 1e-8 and set(best.best_response_gains) == {"C001"}


def test_each_responder_is_at_its_optimum_against_the_first_movers_and_one_anothers_tariffs(small):
    answer = optimal_retaliation(small, "C000", net_exports="zero")
    np.testing.assert_array_equal(answer.response.cube[:, 0, :], answer.first.cube[:, 0, :])  # C000 keeps its move
    assert answer.response.players == ("C001", "C002", "C003")
    for p, code in enumerate(answer.response.players):
        alone = optimal_against_world(small, code, tariffs=answer.response.cube, net_exports="zero")
        assert abs(alone.tariffs[0] - answer.response.tariffs[p]) <= 1e-6
    frame = answer.to_frame()
    assert list(frame["role"]) == ["first mover", "responder", "responder", "responder"]
    # the first mover gains from its optimum and loses part of the gain to the answer
    assert frame.loc["C000", "welfare % (first)"] > frame.loc["C000", "welfare %"]


def test_given_first_move_is_kept_and_not_optimised(small):
    tariffs = small.world.tariffs.copy()
    tariffs[:, 2, :] += 0.25  # C002 raises every tariff by 25 points
    tariffs[2, 2, :] = 0
    answer = optimal_retaliation(small, "C002", tariffs=tariffs, given=True, responders=["C000"],
                                 net_exports="zero")
    assert answer.first is None and answer.response.players == ("C000",)
    np.testing.assert_array_equal(answer.response.cube[:, 2, :], tariffs[:, 2, :])
    np.testing.assert_array_equal(answer.response.cube[:, [1, 3], :], tariffs[:, [1, 3], :])
    assert answer.facts()["first"] is None and "welfare % (first)" not in answer.to_frame()


def test_the_first_mover_cannot_also_respond(small):
    with pytest.raises(OptionError, match="C000 moves first and cannot also be among the responders"):
        optimal_retaliation(small, "C000", responders=["C000", "C001"])


def test_cli_retaliation_writes_both_verifications(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["optimal", "--data", "ossa2014", "--purge", "--net-exports", "zero",
                                      "--country", "USA", "--retaliation", "--responders", "CHN,JPN",
                                      "--json", str(out), "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "Optimal retaliation against USA (its optimum)" in result.output
    assert "Verified: the first move:" in result.output and "The answer:" in result.output
    document = json.loads(out.read_text())
    assert document["schema"] == "tariffsim.games.world_retaliation" and document["first_mover"] == "USA"
    for facts in (document["first"], document["verification"]):
        assert facts["equilibrium_residual"] <= 1e-10 and facts["foc_residual"] <= 1e-8 and facts["max_gain"] <= 1e-7
    roles = {row["country"]: row["role"] for row in document["countries"]}
    assert roles["USA"] == "first mover" and roles["CHN"] == roles["JPN"] == "responder" and roles["EU"] == ""
    assert (tmp_path / "csv" / "countries.csv").exists() and (tmp_path / "csv" / "tariffs.csv").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--country", "USA,JPN", "--method", "stacked"], "finds one country's optimum against the world"),
    (["--country", "USA", "--responders", "CHN"], "--scenario and --responders describe a retaliation"),
    (["--country", "USA", "--method", "newton"], "--method 'newton': use search or stacked"),
])
def test_cli_bad_world_optimum_options_are_one_error_line(data_dir, monkeypatch, args, message):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    result = CliRunner().invoke(app, ["optimal", "--data", "ossa2014", *args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_cli_one_countrys_optimum_under_two_elasticity_sets(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    out = tmp_path / "sweep.json"
    result = CliRunner().invoke(app, ["optimal", "--data", "wiod2014", "--convention", "tariffwar", "--country", "USA",
                                      "--elasticity", "U4,CP", "--scheduler", "serial", "--json", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["sets"] == ["U4", "CP"] and document["players"] == ["USA"]
    for piece in document["wars"].values():
        players = {row["country"] for row in piece["countries"] if row["player"] == "yes"}
        assert players == {"USA"} and piece["verification"]["max_gain"] <= 1e-7
        assert piece["assumptions"]["elasticity_set"] in ("U4", "CP")
