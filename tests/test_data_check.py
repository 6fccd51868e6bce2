"""``tariffsim.data_check``: findings on small worlds made here, the README's published facts on the
shared cubes, and faults planted in a copy of a cube file (h5py, opened "r+")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.data_check import (
    Cell,
    Finding,
    cells_table,
    check_data,
    check_world,
    findings_table,
    rest_of_world,
    to_json_dict,
)
from tariffsim.errors import DataValidationError, OptionError
from tariffsim.world import World

runner = CliRunner()


def small_world(**changes) -> World:
    """4 countries (the last ROW) x 3 sectors, every cell positive, tariffs 5%, sigma 5."""
    rng = np.random.default_rng(1)
    trade = rng.uniform(1, 10, (4, 4, 3))
    idx = np.arange(4)
    trade[idx, idx, :] *= 20
    tariffs = np.full((4, 4, 3), 0.05)
    tariffs[idx, idx, :] = 0
    fields = {"countries": ["AAA", "BBB", "CCC", "ROW"], "sectors": ["s1", "s2", "s3"], "trade": trade,
              "tariffs": tariffs, "sigma": [5.0, 5.0, 5.0]}
    fields.update(changes)
    return World(**fields)


def kinds(findings):
    return {f.kind: f for f in findings}


def test_clean_world_has_only_the_row_share():
    found = kinds(check_world(small_world()))
    assert set(found) == {"row_share"} and found["row_share"].level == "warning"
    world = small_world()
    foreign = world.trade.copy()
    foreign[np.arange(4), np.arange(4), :] = 0
    involved = foreign[3].sum() + foreign[:, 3].sum() - foreign[3, 3].sum()
    assert found["row_share"].value == pytest.approx(involved / foreign.sum())


def test_each_fault_is_found_with_its_cell_and_level():
    base = small_world()
    trade, tariffs = base.trade.copy(), base.tariffs.copy()
    tariffs[0, 1, 2] = 5.0       # 500% on AAA's s3 sold to BBB: a warning
    tariffs[2, 0, 0] = 25.0      # 2,500%: a unit slip, an error
    tariffs[1, 2, 1] = -0.2      # an import subsidy
    trade[1, 1, 0] = 0.0         # BBB's zero domestic absorption in s1
    trade[:, :, 2] *= 1e-6       # s3 tiny
    world = base.replace(trade=trade, tariffs=tariffs, sigma=[5.0, 1.5, 5.0])
    found = kinds(check_world(world, tariff_above=0.5))
    assert found["high_tariff"].cells == (Cell("AAA", "BBB", "s3", 5.0, trade[0, 1, 2]),)
    assert found["absurd_tariff"].level == "error" and found["absurd_tariff"].cells[0][:4] == ("CCC", "AAA", "s1", 25.0)
    assert found["negative_tariff"].cells[0][:4] == ("BBB", "CCC", "s2", -0.2)
    assert [c[:3] for c in found["zero_domestic"].cells] == [("BBB", "BBB", "s1")]
    assert found["zero_domestic"].cells[0].flow == pytest.approx(trade[[0, 2, 3], 1, 0].sum())
    assert [c.sector for c in found["tiny_sector"].cells] == ["s3"]
    low = found["low_elasticity"]
    assert low.cells == (Cell(None, None, "s2", 0.5),) and low.where == "elasticity set sigma"
    errors_first = check_world(world)
    assert [f.level for f in errors_first] == sorted((f.level for f in errors_first), key=("error", "warning").index)


def test_countries_without_partners():
    base = small_world()
    trade = base.trade.copy()
    trade[0, 1:, :] = 0          # AAA exports nothing
    trade[1:, 0, :] = 0          # and imports nothing: no trade at all
    trade[2, [0, 1, 3], :] = 0   # CCC exports nothing but imports
    found = kinds(check_world(base.replace(trade=trade)))
    assert found["no_trade"].level == "error" and [c.exporter for c in found["no_trade"].cells] == ["AAA"]
    assert [c.exporter for c in found["zero_exports"].cells] == ["CCC"]
    assert "zero_imports" not in found


def test_zero_sector_and_elasticity_sets():
    base = small_world()
    trade = base.trade.copy()
    trade[:, :, 1] = 0
    sets = {"A": np.array([5.0, 1.47, 1.2]), "B": np.array([5.0, 5.0, 5.0])}
    world = base.replace(trade=trade, elasticities=sets, elasticity="B", sigma=sets["B"])
    found = check_world(world)
    assert kinds(found)["zero_sector"].cells == (Cell(None, None, "s2", 0.0),)
    low = [f for f in found if f.kind == "low_elasticity"]
    assert len(low) == 1 and low[0].where == "elasticity set A"
    assert [(c.sector, round(c.value, 2)) for c in low[0].cells] == [("s3", 0.2), ("s2", 0.47)]


def test_sector_findings_show_their_own_column_and_units():
    """A tiny sector's value is a share of world sales, shown in % (and a zero sector's as its sales)."""
    base = small_world()
    trade = base.trade.copy()
    trade[:, :, 1] *= 1e-6
    trade[:, :, 2] = 0
    found = kinds(check_world(base.replace(trade=trade)))
    tiny = cells_table(found["tiny_sector"])
    assert list(tiny.columns) == ["sector", "share of world %"]
    assert tiny["share of world %"].iloc[0] == pytest.approx(100 * found["tiny_sector"].cells[0].value)
    assert list(cells_table(found["zero_sector"]).columns) == ["sector", "sales"]


def test_thresholds_are_checked_and_move_the_findings():
    world = small_world()
    assert "high_tariff" in kinds(check_world(world, tariff_above=0.01))
    assert "high_tariff" not in kinds(check_world(world, tariff_above=0.05))  # above, not at
    with pytest.raises(OptionError, match="--tariff-above"):
        check_world(world, tariff_above=-1)
    with pytest.raises(OptionError):
        check_world(world, tariff_above=0.5, tariff_absurd=0.4)


def test_rest_of_world_by_code_or_name():
    assert rest_of_world(small_world()) == [3]
    renamed = small_world(countries=["AAA", "BBB", "CCC", "ZZZ"], country_names=["a", "b", "c", "Rest of the World"])
    assert rest_of_world(renamed) == [3]
    assert rest_of_world(small_world(countries=["AAA", "BBB", "CCC", "DDD"])) == []


def test_tables_and_json_at_the_edge():
    world = small_world()
    tariffs = world.tariffs.copy()
    tariffs[0, 1, 2] = 0.8
    report = check_data("demo")
    assert report.world is not None and not report.errors
    findings = check_world(world.replace(tariffs=tariffs))
    high = kinds(findings)["high_tariff"]
    table = cells_table(high)
    assert list(table.columns) == ["exporter", "importer", "sector", "tariff %", "flow"]
    assert table["tariff %"].iloc[0] == pytest.approx(80.0)
    long = findings_table(findings)
    assert list(long.columns) == ["level", "kind", "where", "exporter", "importer", "sector", "value", "flow"]
    assert len(long) == sum(max(1, len(f.cells)) for f in findings)
    document = json.loads(json.dumps(to_json_dict(report)))
    assert document["schema"] == "tariffsim.data_check" and document["counts"]["error"] == 0
    with pytest.raises(ValueError):
        Finding("fatal", "x", "y")


def test_a_data_set_not_found_is_an_error_not_a_finding():
    with pytest.raises(DataValidationError, match="not found"):
        check_data("no-such-data-set-anywhere")


# ----------------------------------------------------------------------------- the shared cubes
def test_icio2022_published_facts(data_dir):
    """README: 405 tariffs above 50%, US tariffs above 90% on food from China, 41 zero-domestic pairs,
    LL has 0.64; computed here from the cube."""
    report = check_data("icio2022")
    found = kinds(report.findings)
    assert not report.errors
    assert found["high_tariff"].value == 405 and len(found["high_tariff"].cells) == 405
    assert all(c.value > 0.5 for c in found["high_tariff"].cells)
    us_china = [c for c in found["high_tariff"].cells if (c.importer, c.exporter) == ("USA", "CHN")]
    assert us_china and all(c.value > 0.9 and c.sector == "C10T12" for c in us_china)
    assert found["zero_domestic"].value == 41
    assert "LL" in {f.where.split()[-1] for f in report.findings if f.kind == "low_elasticity"}
    assert 0 < found["row_share"].value < 1


def test_wiod_low_elasticities(data_dir):
    low = [f for f in check_data("wiod2014").findings if f.kind == "low_elasticity"]
    by_set = {f.where.split()[-1]: sorted(round(c.value, 2) for c in f.cells) for f in low}
    assert {0.47, 0.67} <= set(by_set["IS"]) and 0.64 in by_set["LL"]


@pytest.fixture()
def cube_copy(data_dir, tmp_path) -> Path:
    target = tmp_path / "ICIO2022.mat"
    shutil.copyfile(data_dir / "tariffwar" / "ICIO2022.mat", target)
    target.chmod(0o644)
    return target


def _codes(h5, key):
    return ["".join(map(chr, h5[r][()].ravel())) for r in h5[key][()].ravel()]


def test_faults_planted_in_a_cube_are_found(cube_copy):
    """A 500% tariff and a zero domestic cell, planted with h5py in the file's own axis order (sector,
    importer, exporter), are found at the right exporter and importer."""
    with h5py.File(cube_copy, "r+") as h5:
        countries, sectors = _codes(h5, "data/countries"), _codes(h5, "data/sectors")
        usa, jpn, deu = (countries.index(c) for c in ("USA", "JPN", "DEU"))
        c29 = sectors.index("C29")
        h5["data/tjik_3D"][c29, usa, jpn] = 5.0           # US tariff on Japanese cars: 500%
        assert h5["data/Xjik_3D"][c29, deu, deu] > 0
        h5["data/Xjik_3D"][c29, deu, deu] = 0.0           # Germany's domestic car sales: 0
    report = check_data(cube_copy)
    found = kinds(report.findings)
    assert not report.errors
    top = found["high_tariff"].cells[0]
    assert (top.exporter, top.importer, top.sector, top.value) == ("JPN", "USA", "C29", 5.0)
    assert found["high_tariff"].value == 406
    assert ("DEU", "DEU", "C29") in {c[:3] for c in found["zero_domestic"].cells}
    assert found["zero_domestic"].value == 42


def test_a_negative_cell_in_a_cube_is_an_error_with_its_location_and_the_other_checks_still_run(cube_copy, tmp_path):
    """The reader refuses the cube for one negative flow; the report says where, and still finds the 500%
    tariff and the zero domestic cell planted beside it (the refused cell set to 0 for the check)."""
    with h5py.File(cube_copy, "r+") as h5:
        countries, sectors = _codes(h5, "data/countries"), _codes(h5, "data/sectors")
        chn, usa, jpn, deu = (countries.index(c) for c in ("CHN", "USA", "JPN", "DEU"))
        h5["data/Xjik_3D"][sectors.index("C26"), usa, chn] = -3.0   # China's electronics sales to the US
        h5["data/tjik_3D"][sectors.index("C29"), usa, jpn] = 5.0    # US tariff on Japanese cars: 500%
        h5["data/Xjik_3D"][sectors.index("C29"), deu, deu] = 0.0    # Germany's domestic car sales: 0
    report = check_data(cube_copy)
    assert [f.kind for f in report.errors] == ["unreadable"]
    assert "exporter CHN, importer USA, sector C26" in report.errors[0].message
    assert "negative" in report.errors[0].message
    found = kinds(report.findings)
    assert "set to 0 (1 flow)" in found["checked_without_refused_cells"].message
    assert found["high_tariff"].cells[0][:4] == ("JPN", "USA", "C29", 5.0) and found["high_tariff"].value == 406
    assert found["zero_domestic"].value == 42  # the refused cell is not domestic: 41 + DEU's cars
    result = runner.invoke(app, ["data", "check", str(cube_copy), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 1, result.output
    assert "error unreadable" in result.stdout and "-3.0" in result.stdout and "warning high_tariff" in result.stdout
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["counts"] == {"error": 1, "warning": len(report.warnings)} and len(report.warnings) >= 4


def test_a_folder_its_reader_refuses_says_which_checks_did_not_run(data_dir, tmp_path):
    folder = tmp_path / "ossa"
    shutil.copytree(data_dir / "ossa2014", folder)
    trade = folder / "trade_ijs.csv"
    lines = trade.read_text().splitlines()
    lines[0] = "-1" + lines[0][lines[0].index(","):]
    trade.write_text("\n".join(lines) + "\n")
    report = check_data(folder)
    assert [f.kind for f in report.findings] == ["unreadable", "not_checked"] and report.world is None
    assert "trade_ijs.csv line 1, column 1" in report.errors[0].message
    assert all(check in report.findings[1].message for check in ("zero domestic absorption", "low elasticities"))


def test_cli_check_exit_codes_and_json(data_dir, tmp_path):
    clean = runner.invoke(app, ["data", "check", "demo"])
    assert clean.exit_code == 0 and "0 errors" in clean.stdout
    result = runner.invoke(app, ["data", "check", "icio2022", "--tariff-above", "0.9", "--json", "-"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    high = next(f for f in document["findings"] if f["kind"] == "high_tariff")
    assert high["value"] == len(high["cells"]) and all(c["value"] > 0.9 for c in high["cells"])
    shown = runner.invoke(app, ["data", "check", "icio2022", "--show", "3"])
    assert shown.exit_code == 0 and "402 more not shown" in shown.stdout
    missing = runner.invoke(app, ["data", "check", "nowhere-data"])
    assert missing.exit_code == 1 and missing.stderr.startswith("error:") and len(missing.stderr.splitlines()) == 1
