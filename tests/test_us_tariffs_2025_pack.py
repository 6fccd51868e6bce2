"""The 2025 US tariffs pack (examples/us_tariffs_2025): every scenario file parses, states a date and a
source for each step, and solves on its world (icio2022, and ilms2025 for the one-sector pack) with a
verified equilibrium; the generated reciprocal schedule equals the rates of ilms2025/tariffs.csv,
computed here from the CSV; the committed files are what build_reciprocal.py writes; the report builds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tariffsim.report import build_report, load_pack
from tariffsim.report.run import RESIDUAL_TOLERANCE, solve_pack
from tariffsim.scenario import load_scenario

PACK = Path(__file__).resolve().parent.parent / "examples" / "us_tariffs_2025"
ILMS_PACK = PACK / "ilms2025"
GENERATED = ("reciprocal_april2.toml", "reciprocal_april2_mirror.toml")
EXEMPT = ("SERV", "B05", "B06", "C19", "C21", "C29")  # services, energy (Annex II), pharma (Annex II), cars (232)
YEAR = re.compile(r"\b(2018|2025)\b")

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def icio():
    from tariffsim.io import read_world
    from tariffsim.models import Krugman

    return Krugman().calibrate(read_world("icio2022"))


@pytest.fixture(scope="module")
def ilms(data_dir):
    from tariffsim.io import read_world

    return read_world(data_dir / "ilms2025")


@pytest.fixture(scope="module")
def csv_rates(data_dir) -> dict[str, float]:
    """ISO3 -> the US rate in percent by the ILMS rule, max(10%, applied_tariff), read here from the CSV."""
    folder = data_dir / "ilms2025"
    codes = pd.read_csv(folder / "country_labels.csv")["iso3"].str.strip()
    rates = pd.read_csv(folder / "tariffs.csv")["applied_tariff"]
    return {c: max(10.0, 100 * r) for c, r in zip(codes, rates, strict=True) if c != "USA"}


@pytest.mark.parametrize("pack", [PACK, ILMS_PACK], ids=["icio2022", "ilms2025"])
def test_pack_lists_every_file_and_every_step_has_a_date_and_a_source(pack):
    loaded = load_pack(pack)
    assert {s.file for s in loaded.scenarios} == {p.name for p in pack.glob("*.toml")} - {"pack.toml"}
    for item in loaded.scenarios:
        assert item.scenario.world == loaded.world, item.file
        for step in item.scenario.steps:
            assert step.description and step.source, (item.file, step.label)
            assert YEAR.search(step.description + " " + step.source), (item.file, step.label)


def test_every_scenario_solves_on_icio2022(icio):
    results = solve_pack(load_pack(PACK), icio)
    assert len(results) == 7
    for result in results:
        assert result.equilibrium.max_residual <= RESIDUAL_TOLERANCE, result.item.file
        assert np.all(np.isfinite(result.equilibrium.welfare_hat)), result.item.file
    welfare = {r.item.file: r.equilibrium.welfare_hat for r in results}
    jpn, usa = icio.world.country_indices(["JPN", "USA"])
    assert welfare["car_threat_2018.toml"][jpn] < 1 and welfare["us_japan_deal_2025.toml"][jpn] < 1
    assert welfare["reciprocal_april2_mirror.toml"][usa] < welfare["reciprocal_april2.toml"][usa]


def test_every_scenario_solves_on_ilms2025(ilms):
    from tariffsim.models import Krugman

    results = solve_pack(load_pack(ILMS_PACK), Krugman().calibrate(ilms))
    assert len(results) == 5
    assert all(r.equilibrium.max_residual <= RESIDUAL_TOLERANCE for r in results)


def _us_change(world, file: Path) -> np.ndarray:
    """(N, S) points added to the US tariff on each exporter's goods by ``file``."""
    usa = world.country_index("USA")
    return 100 * (load_scenario(file).apply(world).tariffs - world.tariffs)[:, usa, :]


def test_ilms2025_schedule_is_the_csv_country_by_country(ilms, csv_rates):
    added = _us_change(ilms, ILMS_PACK / "reciprocal_april2.toml")[:, 0]
    expected = np.array([csv_rates.get(c, 0.0) for c in ilms.countries])
    np.testing.assert_allclose(added, expected, rtol=0, atol=1e-9)
    mirror = load_scenario(ILMS_PACK / "reciprocal_april2_mirror.toml").apply(ilms).tariffs
    usa = ilms.country_index("USA")
    np.testing.assert_allclose(100 * mirror[usa, :, 0], expected, rtol=0, atol=1e-9)  # partners on US goods


def test_icio2022_schedule_is_the_csv_with_row_twn_stp_and_exemptions_as_stated(icio, csv_rates, data_dir):
    world = icio.world
    added = _us_change(world, PACK / "reciprocal_april2.toml")
    imports = pd.read_csv(data_dir / "ilms2025" / "trade_cepii.csv").fillna(0.0)
    codes = list(pd.read_csv(data_dir / "ilms2025" / "country_labels.csv")["iso3"].str.strip())
    from_us = dict(zip(codes, imports.iloc[:, codes.index("USA")], strict=True))
    in_row = [c for c in csv_rates if c not in world.countries]
    row = sum(csv_rates[c] * from_us[c] for c in in_row) / sum(from_us[c] for c in in_row)
    expected = {**{c: csv_rates[c] for c in world.countries if c in csv_rates}, "TWN": 32.0, "STP": 10.0, "ROW": row}
    exempt = [world.sectors.index(s) for s in EXEMPT]
    taxed = [k for k in range(world.n_sectors) if k not in exempt]
    for i, code in enumerate(world.countries):
        if code == "USA":
            assert not added[i].any()
            continue
        np.testing.assert_allclose(added[i, taxed], expected[code], rtol=0, atol=0.005, err_msg=code)
        assert not added[i, exempt].any(), code
    assert len(in_row) == 116 and expected["CHN"] == 54 and expected["JPN"] == 24 and expected["RUS"] == 10


def test_the_committed_schedules_are_what_the_script_writes(tmp_path, data_dir):
    done = subprocess.run([sys.executable, str(PACK / "build_reciprocal.py"), "--data", str(data_dir / "ilms2025"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for name in GENERATED:
        assert (tmp_path / name).read_text() == (PACK / name).read_text(), name
        assert (tmp_path / "ilms2025" / name).read_text() == (ILMS_PACK / name).read_text(), name


def test_the_deal_file_reads_the_15_percent_rule_right_on_icio2022(icio):
    """The deal: 15% in all where the MFN rate is below 15%, the MFN rate where it is 15% or more. The file
    sets every goods sector to 15% but food, which it leaves: check that is the rule on these data."""
    world = icio.world
    jpn, usa = world.country_indices(["JPN", "USA"])
    base = 100 * world.tariffs[jpn, usa, :]
    new = 100 * load_scenario(PACK / "us_japan_deal_2025.toml").apply(world).tariffs[jpn, usa, :]
    goods = [k for k, s in enumerate(world.sectors) if s != "SERV"]
    np.testing.assert_allclose(new[goods], np.maximum(base[goods], 15.0), rtol=0, atol=1e-9)
    assert new[world.sectors.index("SERV")] == base[world.sectors.index("SERV")]


def test_a_small_copy_of_the_pack_builds_its_report(tmp_path):
    """Two scenarios (the 2018 threat and the 2025 deal) in a copy of the pack: the page and its files."""
    pack = tmp_path / "pack"
    pack.mkdir()
    for name in ("car_threat_2018.toml", "us_japan_deal_2025.toml"):
        shutil.copy(PACK / name, pack / name)
    text = (PACK / "pack.toml").read_text()
    head = text[:text.index("[[scenario]]")]
    (pack / "pack.toml").write_text(head + '[[scenario]]\nfile = "car_threat_2018.toml"\nlabel = "2018 car threat"\n\n'
                                    '[[scenario]]\nfile = "us_japan_deal_2025.toml"\nlabel = "US-Japan deal, 15%"\n')
    written = build_report(pack, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="scenario-us_japan_deal_2025"' in html and "Kyodo" in html
    assert "28 sectors (OECD ICIO codes)" in html and "Game view" not in html  # no [game] in this pack
    headline = pd.read_csv(tmp_path / "out" / "tables" / "headline.csv")
    assert set(headline["scenario"]) == {"2018 car threat", "US-Japan deal, 15%"} and len(headline) == 2 * 81
    assert "tables/scenario_us_japan_deal_2025_bilateral.csv" in written.files


@pytest.mark.slow
def test_the_whole_pack_builds_its_report(tmp_path):
    from typer.testing import CliRunner

    from tariffsim.cli import app

    result = CliRunner().invoke(app, ["report", str(PACK), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text()
    for stem in (Path(s.file).stem for s in load_pack(PACK).scenarios):
        assert f'id="scenario-{stem}"' in html and (tmp_path / "figures" / f"scenario_{stem}.png").is_file()
