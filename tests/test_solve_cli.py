"""``tariffsim solve``: what the table title, the JSON and the CSV/Parquet files say was assumed; elasticity
lists and --scheduler as nash takes them; --map checked before the solve."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CARS = str(EXAMPLES / "us_autos_japan.toml")
runner = CliRunner()


def solve(*args: str, env: dict | None = None):
    return runner.invoke(app, ["solve", "-s", CARS, *args], env=env)


def japan_welfare(output: str) -> float:
    return float(next(line for line in output.splitlines() if line.startswith("│ JPN")).split("│")[2])


def test_csv_and_parquet_tables_carry_the_assumptions_of_the_json(tmp_path):
    result = solve("--data", "demo", "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "csv"),
                   "--parquet", str(tmp_path / "pq"))
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "r.json").read_text())
    beside = json.loads((tmp_path / "csv" / "assumptions.json").read_text())
    assert beside["schema"] == "tariffsim.tables" and beside["tables"] == ["country", "country_sector", "bilateral"]
    for level in beside["tables"]:
        inside = json.loads(pq.read_schema(tmp_path / "pq" / f"{level}.parquet").metadata[b"tariffsim"])
        assert inside == beside
        assert len(pd.read_parquet(tmp_path / "pq" / f"{level}.parquet")) == len(pd.read_csv(tmp_path / "csv" / f"{level}.csv"))
    for key in ("assumptions", "scenario", "model", "solver"):
        assert beside[key] == document[key], key
    assert beside["assumptions"]["data"].startswith("synthetic demo world")


def test_the_sensitivity_tables_carry_each_sets_assumptions(data_dir, tmp_path):
    result = solve("--data", "ossa2014", "--elasticity", "main,low", "--csv", str(tmp_path / "csv"), "--parquet",
                   str(tmp_path / "pq"), env={"TARIFFSIM_DATA": str(data_dir)})
    assert result.exit_code == 0, result.output
    beside = json.loads((tmp_path / "csv" / "assumptions.json").read_text())
    assert beside["sets"] == ["main", "low"] and beside["tables"] == ["range", "results"]
    assert {name: s["assumptions"]["elasticity_set"] for name, s in beside["solutions"].items()} == {"main": "main",
                                                                                                   "low": "low"}
    assert json.loads(pq.read_schema(tmp_path / "pq" / "results.parquet").metadata[b"tariffsim"]) == beside


def test_purged_and_fixed_deficits_are_told_apart_in_caption_and_json(data_dir, tmp_path):
    env = {"TARIFFSIM_DATA": str(data_dir)}
    fixed = solve("--data", "ossa2014", "--json", str(tmp_path / "fixed.json"), env=env)
    purged = solve("--data", "ossa2014", "--purge", "--json", str(tmp_path / "purged.json"), env=env)
    assert fixed.exit_code == 0 and purged.exit_code == 0, fixed.output + purged.output
    assert japan_welfare(purged.output) == pytest.approx(-0.15, abs=0.01)
    assert japan_welfare(fixed.output) == pytest.approx(-0.33, abs=0.01)
    assert "deficits fixed at the data's levels" in fixed.output and "balanced trade" not in fixed.output
    assert "balanced trade (no deficits in the baseline)" in purged.output and "deficits fixed" not in purged.output
    facts = {name: json.loads((tmp_path / f"{name}.json").read_text())["assumptions"] for name in ("fixed", "purged")}
    assert facts["fixed"]["balanced_baseline"] is False and facts["purged"]["balanced_baseline"] is True
    assert facts["fixed"]["deficits"] != facts["purged"]["deficits"]


def test_the_title_names_the_elasticity_set(data_dir):
    result = solve("--data", "ossa2014", "--elasticity", "low", env={"TARIFFSIM_DATA": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("33 sectors, year 2007, elasticities low")


def test_an_elasticity_list_is_solved_under_each_set(data_dir, tmp_path):
    result = solve("--data", "ossa2014", "--elasticity", "main, low", "--json", str(tmp_path / "two.json"),
                   env={"TARIFFSIM_DATA": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert "under 2 elasticity sets" in result.output and "all 2 equilibria verified" in result.output
    document = json.loads((tmp_path / "two.json").read_text())
    assert document["sets"] == ["main", "low"] and list(document["solutions"]) == ["main", "low"]
    unknown = solve("--data", "ossa2014", "--elasticity", "main,LL", env={"TARIFFSIM_DATA": str(data_dir)})
    assert unknown.exit_code == 1 and "unknown elasticity set 'LL'" in unknown.output and "main, low" in unknown.output


@pytest.mark.parametrize(("args", "named"), [(("--scheduler", "local"), "--scheduler applies only"),
                                             (("--workers", "4"), "--workers applies only"),
                                             (("--scheduler", "serial", "--workers", "1"), "--scheduler and --workers apply only")])
def test_scheduler_without_several_sets_is_refused(args, named):
    result = solve("--data", "demo", *args)
    assert result.exit_code == 1 and named in result.output and "--elasticity all" in result.output
    assert "Equilibrium verified" not in result.output


def test_a_map_of_a_world_without_iso3_codes_is_refused_before_the_solve(data_dir, tmp_path):
    result = runner.invoke(app, ["solve", "--model", "caliendo_parro", "--data", "cp2015", "-s",
                                 str(EXAMPLES / "cp2015" / "us_autos_japan.toml"), "--map", str(tmp_path / "m.png")],
                           env={"TARIFFSIM_DATA": str(data_dir)})
    assert result.exit_code == 1 and result.output.startswith(f"error: --map {tmp_path / 'm.png'}: ")
    assert "Argentina, Australia" in result.output and "drop --map" in result.output
    assert "Equilibrium verified" not in result.output and not (tmp_path / "m.png").exists()


@pytest.mark.slow
def test_every_set_on_a_local_dask_cluster(data_dir, tmp_path):
    env = {"TARIFFSIM_DATA": str(data_dir)}
    local = solve("--data", "ossa2014", "--elasticity", "all", "--scheduler", "local", "--workers", "2",
                  "--json", str(tmp_path / "local.json"), env=env)
    assert local.exit_code == 0, local.output
    assert "all 5 equilibria verified" in local.output
    document = json.loads((tmp_path / "local.json").read_text())
    assert document["sets"] == ["main", "low", "med", "high", "novar"]
    main = solve("--data", "ossa2014", "--elasticity", "main", env=env)
    japan = next(row for row in document["range"] if row["country"] == "JPN")
    assert japan["main"] == pytest.approx(japan_welfare(main.output), abs=0.005)  # shown to 3 decimals
