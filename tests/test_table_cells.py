"""What tables print: no '-0.00', and an optimum on its upper bound comes with a warning."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.cli._common import _cell, print_frame, stdout

runner = CliRunner()


@pytest.mark.parametrize(("value", "printed"), [(-0.001, "0.00"), (-0.0, "0.00"), (0.004, "0.00"),
                                                (-0.006, "-0.01"), (-1.234, "-1.23"), (-1234.5, "-1,234")])
def test_a_value_that_rounds_to_zero_prints_without_a_sign(value, printed):
    assert _cell(value, 2) == printed


def test_a_table_of_tiny_negative_changes_shows_no_minus_zero():
    frame = pd.DataFrame({"welfare %": [-1e-5, -0.004, 0.25]}, index=pd.Index(["USA", "JPN", "CHN"], name="country"))
    with stdout.capture() as captured:
        print_frame(frame, "changes")
    text = captured.get()
    assert "-0.00" not in text and text.count(" 0.00 ") == 2 and "0.25" in text


def test_an_optimum_on_the_upper_bound_is_reported_with_a_warning():
    # With the factual (unpurged) imbalances, the US optimum runs to the 1000% bound in most cells.
    result = runner.invoke(app, ["optimal", "--data", "ossa2014", "--country", "USA", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "USA's optimal tariff sits on the upper bound 1,000%" in result.output
    assert "--purge --net-exports zero" in result.output


def test_an_interior_optimum_has_no_warning():
    result = runner.invoke(app, ["optimal", "--data", "ossa2014", "--country", "USA", "--no-cache", "--purge",
                                 "--net-exports", "zero"])
    assert result.exit_code == 0, result.output
    assert "upper bound" not in result.output


def test_a_nash_tariff_on_the_upper_bound_is_reported_with_a_warning():
    # The reviewer's case: on the unpurged data the US Nash MFN tariffs run to the 1000% bound.
    result = runner.invoke(app, ["nash", "--data", "ossa2014", "--countries", "USA,JPN", "--mfn", "--no-cache",
                                 "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "USA's Nash tariff sits on the upper bound 1,000% for" in text and "(every partner)" in text
    assert "--purge --net-exports zero" in text and "JPN's Nash tariff" not in text


@pytest.fixture
def capped(monkeypatch):
    """World-scale games (``--method stacked``) with every chosen tariff capped at 5%: the cap binds."""
    import dataclasses

    from tariffsim.cli import _world_nash

    prepare = _world_nash.prepare_game
    monkeypatch.setattr(_world_nash, "prepare_game", lambda **kw: dataclasses.replace(prepare(**kw), upper=0.05))


@pytest.mark.parametrize(("args", "warned"), [
    (["nash", "--method", "stacked", "--countries", "USA,JPN"], ["USA's Nash tariff", "JPN's Nash tariff"]),
    (["optimal", "--method", "stacked", "--country", "USA"], ["USA's optimal tariff"]),
    (["optimal", "--country", "USA", "--retaliation", "--responders", "CHN"],
     ["USA's optimal tariff", "CHN's retaliatory tariff"]),
], ids=["world-nash", "world-optimal", "retaliation"])
def test_world_scale_games_on_the_upper_bound_warn_naming_the_cells(capped, args, warned):
    result = runner.invoke(app, [*args, "--data", "ossa2014", "--purge", "--check", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for who in warned:
        assert f"{who} sits on the upper bound 5% for all its imports" in text
    assert "--purge --net-exports zero" not in text  # purged: the imbalances are not the cause


def test_an_elasticity_sweep_warns_for_each_set_whose_war_sits_on_the_upper_bound(monkeypatch):
    import functools

    from tariffsim.games import war_sensitivity

    monkeypatch.setattr(war_sensitivity, "war_settings", functools.partial(war_sensitivity.war_settings, upper=0.05))
    result = runner.invoke(app, ["nash", "--method", "stacked", "--data", "ossa2014", "--purge", "--countries", "USA",
                                 "--elasticity", "main,low", "--check", "1", "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for name in ("main", "low"):
        assert f"USA's optimal tariff under elasticity set {name} sits on the upper bound 5% for all its imports" in text


def test_talks_from_a_nash_baseline_on_the_bound_warn_for_the_baseline_and_the_deal():
    result = runner.invoke(app, ["talks", "--data", "ossa2014", "--countries", "USA,JPN", "--mfn", "--baseline", "nash",
                                 "--no-cache", "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "USA's Nash tariff (the talks' baseline) sits on the upper bound 1,000%" in text
    assert "USA's agreed tariff sits on the upper bound 1,000%" in text
    assert "from the nash baseline (krugman model) (MFN)" in text  # the model's name, not its repr
