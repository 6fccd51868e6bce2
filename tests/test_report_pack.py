"""The Japan-US 2018 scenario pack on the real ossa2014 data: every scenario solves, the stated
assumptions hold on the data, trade diversion shows; and pack.toml errors are clear."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tariffsim.errors import ScenarioError
from tariffsim.report import load_pack
from tariffsim.report.run import RESIDUAL_TOLERANCE, solve_pack
from tariffsim.report.tables import diversion, diversion_by_exporter

PACK = Path(__file__).resolve().parent.parent / "examples" / "japan_us_2018"
RETALIATION_RATIO = (0.95, 1.05)  # stated in car_war.toml: ratio 1.03 in the data


@pytest.fixture(scope="module")
def calibration(data_dir):
    from tariffsim.io import read_world
    from tariffsim.models import Krugman

    return Krugman().calibrate(read_world(data_dir / "ossa2014"))


@pytest.fixture(scope="module")
def results(calibration):
    return {r.item.file: r for r in solve_pack(load_pack(PACK), calibration)}


def test_pack_lists_every_scenario_file_and_each_change_says_where_it_comes_from():
    pack = load_pack(PACK)
    assert {s.file for s in pack.scenarios} == {p.name for p in PACK.glob("*.toml")} - {"pack.toml"}
    for item in pack.scenarios:
        for step in item.scenario.steps:
            assert step.description and step.source, (item.file, step)
    assert pack.game.pair == ("USA", "JPN") and pack.game.frontier_points == 7


def test_every_scenario_solves_on_the_real_data(results):
    assert len(results) == 7
    for file, result in results.items():
        assert result.equilibrium.max_residual <= RESIDUAL_TOLERANCE, file
        assert np.all(np.isfinite(result.equilibrium.welfare_hat)), file


def test_the_threat_hurts_japan_and_the_car_war_hurts_both(results):
    jpn, usa = results["car_threat.toml"].equilibrium.world.country_indices(["JPN", "USA"])
    assert results["car_threat.toml"].equilibrium.welfare_hat[jpn] < 1
    war = results["car_war.toml"].equilibrium.welfare_hat
    assert war[jpn] < 1 and war[usa] < 1


def test_japans_retaliation_matches_the_car_tariff_in_trade_value(calibration):
    steps = load_pack(PACK).scenario("car_war.toml").scenario.describe(calibration.world)
    us_cars, japan_answer = steps["trade"]
    assert RETALIATION_RATIO[0] <= japan_answer / us_cars <= RETALIATION_RATIO[1]


def test_bilateral_deal_diverts_third_country_exports_and_the_mfn_twin_does_not(results):
    spec = load_pack(PACK).diversion
    table = diversion(results[spec.bilateral].equilibrium, results[spec.multilateral].equilibrium, spec)
    totals = diversion_by_exporter(table)
    third = ["BRA", "CHN", "EU", "IND", "ROW"]
    assert (totals.loc[third, "bilateral_change_usd_m"] < 0).all()
    assert (totals.loc[third, "multilateral_change_usd_m"] > 0).all()
    assert totals.loc["USA", "bilateral_change_usd_m"] > totals.loc["USA", "multilateral_change_usd_m"] > 0
    assert table["diverted"].any() and not table.loc[~table["third_country"], "diverted"].any()


@pytest.mark.parametrize("text, message", [
    ('title = "x"\n', "list the scenarios"),
    ('title = "x"\ncolour = 1\n[[scenario]]\nfile = "car_threat.toml"\nlabel = "a"\n', "unknown key"),
    ('title = "x"\n[[scenario]]\nfile = "car_threat.toml"\nlabel = "a"\n[diversion]\nbilateral = "b.toml"\n'
     'multilateral = "car_threat.toml"\nimporter = "JPN"\npartner = "USA"\n', "not one of the"),
    ('title = "x"\n[[scenario]]\nfile = "car_threat.toml"\nlabel = "a"\n[game]\npair = ["USA"]\n', "name two countries"),
    ('title = "x"\n[[scenario]]\nfile = "missing.toml"\nlabel = "a"\n', "not found"),
    ('title = "x"\nworld = "../../etc"\n[[scenario]]\nfile = "car_threat.toml"\nlabel = "a"\n',
     "world names a data set"),
])
def test_pack_file_errors_name_the_problem(tmp_path, text, message):
    (tmp_path / "car_threat.toml").write_text((PACK / "car_threat.toml").read_text())
    (tmp_path / "pack.toml").write_text('focus = ["JPN", "USA"]\n' + text)
    with pytest.raises(ScenarioError, match=message):
        load_pack(tmp_path)


def test_focus_names_two_countries(tmp_path):
    (tmp_path / "car_threat.toml").write_text((PACK / "car_threat.toml").read_text())
    (tmp_path / "pack.toml").write_text('title = "x"\nfocus = "JPN"\n[[scenario]]\nfile = "car_threat.toml"\nlabel = "a"\n')
    with pytest.raises(ScenarioError, match="focus = 'JPN': name two countries"):
        load_pack(tmp_path)


def test_a_folder_without_pack_toml_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="no pack.toml"):
        load_pack(tmp_path)


def test_an_equilibrium_above_the_residual_tolerance_stops_the_report():
    from types import SimpleNamespace

    from tariffsim.errors import ConvergenceError
    from tariffsim.report.run import verified

    with pytest.raises(ConvergenceError, match="car_threat.toml.*1.00e-06.*the report stops"):
        verified(SimpleNamespace(max_residual=1e-6), "scenario car_threat.toml")
    with pytest.raises(ConvergenceError, match=r"^scenario x: the equilibrium's largest residual is nan, above"):
        verified(SimpleNamespace(max_residual=float("nan")), "scenario x")  # NaN is not "within tolerance"
    ok = SimpleNamespace(max_residual=RESIDUAL_TOLERANCE)
    assert verified(ok, "scenario x") is ok
