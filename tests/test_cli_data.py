"""``tariffsim data list`` and ``tariffsim data info`` (and the catalog behind them), through CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim import catalog
from tariffsim.cli import app
from tariffsim.errors import DataValidationError
from tariffsim.io import write_long
from tariffsim.synthetic import demo_world

runner = CliRunner()


def run(*args: str, root: Path | str | None = None):
    env = {"TARIFFSIM_DATA": str(root) if root is not None else "", "COLUMNS": "200"}
    return runner.invoke(app, list(args), env=env)


def listed(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {d["name"]: d for d in json.loads(result.stdout)["datasets"]}


def fake_cube(path: Path, n: int, s: int, year: int) -> Path:
    """A file with only the scalars data/N, data/S, data/year: enough for data list, which reads nothing else."""
    with h5py.File(path, "w") as h5:
        for key, value in (("N", n), ("S", s), ("year", year)):
            h5[f"data/{key}"] = np.array([[float(value)]])
    return path


def test_list_finds_each_layout_by_its_contents(tmp_path, data_dir):
    root = tmp_path / "data"
    cubes = root / "cubes"
    cubes.mkdir(parents=True)
    for year in (2016, 2017, 2018):
        fake_cube(cubes / f"ICIO{year}.mat", 81, 28, year)
    fake_cube(cubes / "WIOD2005.mat", 44, 16, 2005)
    shutil.copytree(data_dir / "ossa2014", root / "ossa2014")
    write_long(demo_world(), root / "mine")
    (root / "notes").mkdir()
    (root / "notes" / "todo.txt").write_text("nothing here")
    result = run("data", "list", "--json", "-", root=root)
    found = listed(result)
    assert list(found) == ["demo", "icio2022", "icio2016 ... icio2018", "wiod2005", "mine", "ossa2014"]  # embedded, folders
    icio = found["icio2016 ... icio2018"]
    assert (icio["years"], icio["countries"], icio["sectors"], icio["kind"]) == ([2016, 2017, 2018], 81, 28,
                                                                                 "world cubes")
    assert icio["names"] == ["icio2016", "icio2017", "icio2018"]
    assert icio["size_bytes"] == sum((cubes / f"ICIO{y}.mat").stat().st_size for y in (2016, 2017, 2018))
    ossa = found["ossa2014"]
    assert (ossa["countries"], ossa["sectors"], ossa["years"], ossa["kind"]) == (7, 33, [2007], "Ossa-style")
    assert "Ossa (2014)" in ossa["citation"]
    demo = demo_world()
    assert (found["mine"]["countries"], found["mine"]["sectors"]) == (demo.n_countries, demo.n_sectors)
    assert found["mine"]["kind"] == "long format" and found["mine"]["source"] == "-"
    assert "skipped" in result.stderr and "notes" in result.stderr
    per_cube = listed(run("data", "list", "--all", "--json", "-", root=root))
    assert {"icio2016", "icio2017", "icio2018", "wiod2005"} <= set(per_cube)


def test_list_of_the_shared_data(data_dir):
    """README facts: ICIO 2011-2022 with 81 economies x 28 sectors, WIOD 2000-2014 with 44 x 16."""
    result = run("data", "list", root=data_dir)
    assert result.exit_code == 0, result.output
    for words in ("icio2011 ... icio2022", "2011-2022", "81 x 28", "wiod2000 ... wiod2014", "2000-2014", "44 x 16",
                  "ossa2014", "7 x 33", "Cite:", "CC BY 4.0"):
        assert words in result.stdout, words
    found = listed(run("data", "list", "--json", "-", root=data_dir))
    assert found["icio2011 ... icio2022"]["size_bytes"] == sum(
        p.stat().st_size for p in (data_dir / "tariffwar").glob("ICIO*.mat"))
    if (data_dir / "ilms2025").is_dir():
        assert (found["ilms2025"]["countries"], found["ilms2025"]["sectors"]) == (194, 1)


def test_list_without_a_data_root_shows_what_ships_with_tariffsim():
    plain = run("data", "list", root=None)
    assert plain.exit_code == 0 and "TARIFFSIM_DATA is not set" in plain.stdout and "icio2022" in plain.stdout


def test_dataset_json_describes_a_users_folder(tmp_path):
    write_long(demo_world(), tmp_path / "mine")
    (tmp_path / "mine" / "dataset.json").write_text(json.dumps({"source": "my survey", "citation": "Me (2026)",
                                                               "year": 2024}))
    entry = catalog.describe_folder(tmp_path / "mine")[0]
    assert (entry.source, entry.citation, entry.years) == ("my survey", "Me (2026)", (2024,))
    (tmp_path / "mine" / "dataset.json").write_text("{not json")
    assert "unreadable" in catalog.describe_folder(tmp_path / "mine")[0].source


def test_info_shows_what_info_shows_plus_years_sets_and_sources(data_dir):
    result = run("data", "info", "icio2022", "--elasticity", "CP", root=data_dir)
    assert result.exit_code == 0, result.output
    same = run("info", "--data", "icio2022", "--elasticity", "CP", root=data_dir)
    assert result.stdout.startswith(same.stdout)  # the info command's output, reused
    extra = result.stdout[len(same.stdout):]
    assert "Year: 2022" in extra and "OECD" in extra and "Citation:" in extra
    from tariffsim.io import read_world
    from tariffsim.io.tariffwar import ELASTICITY_SETS

    world = read_world("icio2022")
    lines = {line.split("│")[1].strip(): line for line in extra.splitlines() if line.count("│") > 3}
    for name in ELASTICITY_SETS:
        sigma = world.elasticities[name]
        cells = [c.strip() for c in lines[name].split("│")[1:-1]]
        assert cells[1:4] == [f"{np.min(sigma):.2f}", f"{np.median(sigma):.2f}", f"{np.max(sigma):.2f}"], name
        assert cells[4] == ("yes" if name == "CP" else "")


def test_info_of_a_folder_without_sets_and_errors(data_dir):
    result = run("data", "info", "ossa2014", root=data_dir)
    assert result.exit_code == 0, result.output
    assert "Year: 2007" in result.stdout and "Ossa (2014)" in result.stdout
    missing = run("data", "info", "nowhere", root=data_dir)
    assert missing.exit_code == 1 and len(missing.stderr.splitlines()) == 1


def test_cube_sizes_come_from_the_scalars_alone(tmp_path):
    """data list reads only data/N, data/S and data/year: a file holding nothing else is enough."""
    assert catalog.cube_shape(fake_cube(tmp_path / "ICIO2030.mat", 3, 2, 2030)) == (3, 2, 2030)


def test_the_embedded_world_is_listed_described_and_checked_without_data():
    """On a machine without data sets, icio2022 is the world inside the package."""
    found = listed(run("data", "list", "--json", "-", root=None))
    assert list(found) == ["demo", "icio2022"]
    embedded = found["icio2022"]
    assert (embedded["countries"], embedded["sectors"], embedded["years"]) == (81, 28, [2022])
    assert embedded["kind"] == "embedded world cube" and embedded["size_bytes"] > 0
    info = run("data", "info", "icio2022", root=None)
    assert info.exit_code == 0, info.output
    assert "Year: 2022" in info.stdout and "OECD" in info.stdout
    check = runner.invoke(app, ["data", "check", "icio2022", "--json", "-"], env={"TARIFFSIM_DATA": ""})
    assert check.exit_code == 0, check.output
    document = json.loads(check.stdout)
    assert {f["kind"]: f["value"] for f in document["findings"]}["zero_domestic"] == 41


def test_without_a_data_folder_the_wording_names_the_worlds_shipped_and_the_real_one_first(monkeypatch):
    table = run("data", "list", root=None)
    assert table.exit_code == 0, table.output
    assert "only the demo world" not in table.stdout and "icio2022" in table.stdout
    assert "the worlds that ship with tariffsim" in " ".join(table.stdout.split())
    missing = run("data", "info", "nowhere-at-all", root=None)
    assert missing.exit_code == 1 and len(missing.stderr.splitlines()) == 1
    assert missing.stderr.index("--data icio2022") < missing.stderr.index("--data demo")
    monkeypatch.delenv("TARIFFSIM_DATA", raising=False)
    from tariffsim.datasets import dataset_path

    with pytest.raises(DataValidationError, match=r"no data set given \(None\); fix: .*or --data icio2022 \(real.*; "
                                                  r"--data demo is the synthetic"):
        dataset_path(None)


def test_the_build_year_help_speaks_of_the_release_and_a_cube_name_takes_another_year(data_dir):
    build = runner.invoke(app, ["data", "build", "--help"], env={"COLUMNS": "200"})
    assert "folder of world cubes" not in build.output and "year in the --icio file name" in build.output
    info = run("data", "info", "icio2022", "--year", "2019", root=data_dir)
    assert info.exit_code == 0, info.output
    assert "Year: 2019" in info.stdout and "ICIO 2019" in info.stdout
