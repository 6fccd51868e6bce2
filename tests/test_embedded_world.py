"""The real default world shipped in the package: exact, small, and enough for the README's main job."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_world
from tariffsim.io.embedded import FILE, read_embedded
from tariffsim.io.tariffwar import read_cube

REPO = Path(__file__).resolve().parent.parent


def test_the_embedded_world_is_the_shared_cube_exactly(data_dir):
    shipped, shared = read_embedded(), read_cube(data_dir / "tariffwar" / "ICIO2022.mat")
    np.testing.assert_array_equal(shipped.trade, shared.trade)
    np.testing.assert_array_equal(shipped.tariffs, shared.tariffs)
    assert shipped.countries == shared.countries and shipped.sectors == shared.sectors and shipped.year == 2022
    for name, sigma in shared.elasticities.items():
        np.testing.assert_array_equal(shipped.elasticities[name], sigma)
    assert shipped.sector_groups == shared.sector_groups and shipped.country_groups == shared.country_groups


def test_it_is_at_most_2_mb_and_the_build_script_makes_it(tmp_path, data_dir):
    packaged = resources.files("tariffsim.data").joinpath(FILE)
    assert Path(str(packaged)).stat().st_size <= 2_000_000
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from build_default_world import build
    finally:
        sys.path.pop(0)
    size = build(data_dir / "tariffwar" / "ICIO2022.mat", tmp_path / FILE)
    assert size <= 2_000_000
    with np.load(tmp_path / FILE) as rebuilt, np.load(str(packaged)) as shipped:
        assert sorted(rebuilt.files) == sorted(shipped.files)
        for key in shipped.files:
            np.testing.assert_array_equal(rebuilt[key], shipped[key])


def test_without_any_data_set_the_name_reads_the_embedded_copy(monkeypatch, tmp_path):
    monkeypatch.delenv("TARIFFSIM_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    world = read_world("icio2022", elasticity="CP")
    assert "embedded copy" in world.label and world.elasticity == "CP"
    assert read_world("icio2022", year=2022).year == 2022
    with pytest.raises(DataValidationError, match=r"--data icio2022 --year 2019: there is no ICIO 2019 cube "
                                                  r"\(TARIFFSIM_DATA is not set.*ICIO years found: 2022\); fix"):
        read_world("icio2022", year=2019)  # the package holds 2022 alone: never 2022 under another name


def test_the_readme_main_job_on_a_fresh_machine_prints_a_real_answer(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TARIFFSIM_DATA"}
    done = subprocess.run([sys.executable, "-m", "tariffsim", "solve", "--data", "icio2022", "--scenario",
                           str(REPO / "examples" / "us_autos_japan.toml")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0]  # the title's first line names data set, year and elasticity set
    assert header.startswith("US tariff on Japanese cars — krugman model, ICIO 2022") and header.endswith(", elasticities U4")
    assert "year 2022; elasticities: U4" in done.stdout and "Equilibrium verified" in done.stdout
    japan = next(line for line in done.stdout.splitlines() if line.startswith("│ JPN"))
    assert float(japan.split("│")[2]) < 0  # Japan's welfare falls
