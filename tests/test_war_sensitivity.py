"""A world war (or one country's optimum) under every elasticity set (games/war_sensitivity.py, issue 13
item 4): each set's numbers are the direct war's, the summary is the range over the sets, a failing set
is named, and the command line writes JSON and CSV."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import _war_sweep, app
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import world_nash as wn
from tariffsim.games.war_sensitivity import checked_sets, war_settings, war_under_sets
from tariffsim.models import Krugman
from tariffsim.purge import purge
from tariffsim.synthetic import random_world
from tariffsim.world import World


def with_sets(world: World) -> World:
    """Three elasticity sets A, B, C: the world's sigma, 30% higher, and lower but still > 1."""
    return world.replace(elasticities={"A": world.sigma, "B": world.sigma * 1.3, "C": 0.8 * world.sigma + 0.3})


@pytest.fixture(scope="module")
def world() -> World:
    return with_sets(random_world(4, 3, seed=3, balanced=True))


@pytest.fixture(scope="module")
def sweep(world):
    return war_under_sets(world, war_settings(net_exports="zero"))


def test_each_set_gives_the_war_played_directly_with_that_set(world, sweep):
    assert sweep.sets == ("A", "B", "C") and [w.elasticity for w in sweep.wars] == ["A", "B", "C"]
    for war in sweep.wars:
        direct = wn.world_nash(Krugman().calibrate(world.with_elasticity(war.elasticity)), net_exports="zero")
        expected = direct.to_frame()
        np.testing.assert_allclose(war.countries["tariff %"], expected["tariff %"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(war.countries["welfare %"], expected["welfare %"], rtol=0, atol=1e-12)
        assert war.verification["max_gain"] <= 1e-7 and war.verification["foc_residual"] <= 1e-8
        assert war.assumptions["elasticity_set"] == war.elasticity and war.seconds > 0
    tariffs = sweep.tariffs_long()
    assert list(tariffs["elasticity"]) == ["A"] * 4 + ["B"] * 4 + ["C"] * 4 and set(tariffs["partner"]) == {"*"}
    assert sweep.wars[0].countries["tariff %"].iloc[0] != sweep.wars[1].countries["tariff %"].iloc[0]


def test_the_summary_is_the_median_and_range_over_the_sets(sweep):
    long = sweep.countries_long()
    for variable in ("tariff %", "welfare %"):
        by_set = long.pivot(index="country", columns="elasticity", values=variable)
        summary = sweep.summary
        np.testing.assert_array_equal(summary[f"{variable} median"], np.median(by_set.to_numpy(), axis=1))
        np.testing.assert_array_equal(summary[f"{variable} lowest"], by_set.min(axis=1))
        np.testing.assert_array_equal(summary[f"{variable} highest"], by_set.max(axis=1))
        assert list(summary[f"{variable} highest under"]) == [by_set.columns[k] for k in by_set.to_numpy().argmax(axis=1)]
        assert list(summary[f"{variable} lowest under"]) == [by_set.columns[k] for k in by_set.to_numpy().argmin(axis=1)]
    assert (sweep.summary["tariff % highest"] > sweep.summary["tariff % lowest"]).all()  # the sets disagree
    assert (sweep.summary["indeterminate under"] == "").all()


def test_one_countrys_optimum_on_a_world_purged_under_each_set():
    world = with_sets(random_world(4, 2, seed=5))
    settings = war_settings(players=["C001"], mode="mfn", purge=True, net_exports="zero")
    sweep = war_under_sets(world, settings, sets=["C", "A"])
    assert sweep.sets == ("C", "A")
    for war in sweep.wars:
        alone = world.with_elasticity(war.elasticity)
        direct = wn.world_nash(Krugman().calibrate(purge(alone, Krugman())), mode="mfn", players=["C001"],
                               net_exports="zero")
        np.testing.assert_allclose(war.tariffs["tariff"], direct.tariff_frame()["tariff"], rtol=0, atol=1e-12)
        assert list(war.countries["player"]) == ["", "yes", "", ""] and war.assumptions["balanced_baseline"]


def test_a_convention_that_prescribes_its_war_replaces_model_mode_and_bound():
    settings = war_settings(model="krugman", mode="mfn", convention="tariffwar", purge=True)
    assert (settings.model, settings.mode, settings.net_exports, settings.upper, settings.purge) == (
        "armington", "uniform", "zero", 1.0, False)
    assert war_settings(mode="mfn").upper == 10.0 and war_settings(upper=0.5).upper == 0.5


def test_unknown_or_repeated_sets_are_refused(world):
    with pytest.raises(OptionError, match=r"unknown elasticity set 'a'\. Did you mean 'A'\?.* has: A, B, C"):
        checked_sets(world, ["B", "a"])
    with pytest.raises(OptionError, match="given twice"):
        checked_sets(world, ["A", "A"])
    with pytest.raises(OptionError, match="no named elasticity sets"):
        checked_sets(random_world(3, 2), None)


def test_a_failing_set_stops_the_sweep_and_is_named(world, monkeypatch):
    real = wn.world_nash

    def fails_under_b(calibration, **options):
        if calibration.world.elasticity == "B":
            raise ConvergenceError("world Nash: the stacked Newton diverged.")
        return real(calibration, **options)

    monkeypatch.setattr(wn, "world_nash", fails_under_b)
    with pytest.raises(ConvergenceError, match=r"^elasticity set B: world Nash: the stacked Newton diverged\. "
                                               r"To play the other sets without it: --elasticity A,C"):
        war_under_sets(world, war_settings(net_exports="zero"))


def test_the_command_line_prints_the_range_and_writes_json_and_csv(world, sweep, tmp_path, monkeypatch):
    monkeypatch.setattr(_war_sweep, "load_world", lambda data, year=None: world)
    result = CliRunner().invoke(app, ["nash", "--data", "synthetic", "--method", "stacked", "--elasticity", "all",
                                      "--net-exports", "zero", "--scheduler", "serial",
                                      "--json", str(tmp_path / "sweep.json"), "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert "Uniform Nash tariff war of every country under 3 elasticity sets" in result.output
    assert "B: verified in" in result.output and "All 3 wars verified" in result.output
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert document["schema"] == "tariffsim.games.war_sensitivity" and document["sets"] == ["A", "B", "C"]
    for name, war in document["wars"].items():
        assert war["assumptions"]["elasticity_set"] == name and war["verification"]["max_gain"] <= 1e-7
    summary = pd.DataFrame(document["summary"]).set_index("country")
    np.testing.assert_allclose(summary["welfare % median"], sweep.summary["welfare % median"], rtol=0, atol=1e-12)
    written = pd.read_csv(tmp_path / "csv" / "summary.csv").set_index("country")
    assert list(written["tariff % highest under"]) == list(sweep.summary["tariff % highest under"])
    assert len(pd.read_csv(tmp_path / "csv" / "countries.csv")) == 12
    assert len(pd.read_csv(tmp_path / "csv" / "tariffs.csv")) == 12


def test_bad_sets_on_the_command_line_are_one_error_line(world, tmp_path, monkeypatch):
    monkeypatch.setattr(_war_sweep, "load_world", lambda data, year=None: world)
    result = CliRunner().invoke(app, ["nash", "--data", "synthetic", "--method", "stacked", "--elasticity", "A,X",
                                      "--json", str(tmp_path / "out.json")])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("error: unknown elasticity set 'X'") and "has: A, B, C" in result.output
    assert not (tmp_path / "out.json").exists()
    result = CliRunner().invoke(app, ["nash", "--data", "synthetic", "--method", "stacked", "--elasticity", "all",
                                      "--mode", "uniformm"])
    assert result.exit_code == 1 and result.output == "error: mode 'uniformm': use uniform, mfn, discriminatory\n"


def test_a_world_without_sets_is_refused_on_the_command_line():
    result = CliRunner().invoke(app, ["nash", "--data", "demo", "--method", "stacked", "--elasticity", "all"])
    assert result.exit_code == 1 and "has no named elasticity sets" in result.output


@pytest.mark.slow
def test_a_local_cluster_gives_the_serial_numbers():
    from tariffsim.parallel import executor

    tiny = with_sets(random_world(3, 2, seed=1, balanced=True))
    serial = war_under_sets(tiny, war_settings(net_exports="zero"), sets=["A", "B"])
    with executor("local", workers=2) as map_:
        parallel = war_under_sets(tiny, war_settings(net_exports="zero"), sets=["A", "B"], map_=map_)
    pd.testing.assert_frame_equal(parallel.summary, serial.summary)
    for a, b in zip(parallel.wars, serial.wars, strict=True):
        pd.testing.assert_frame_equal(a.countries, b.countries)
