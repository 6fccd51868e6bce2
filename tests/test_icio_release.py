"""``tariffsim data build`` and ``io.icio_release``: a world from a raw OECD ICIO release CSV in the real
layout (rows COUNTRY_INDUSTRY then TLS, VA, OUT; intermediate-use columns by country and industry,
final-use columns by country, OUT) and a long tariff table, on small synthetic files made here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import DataValidationError, OptionError, ScenarioWarning
from tariffsim.io import read_world
from tariffsim.io.icio_release import FINAL_USE, build_world, read_icio_release, year_of

runner = CliRunner()
COUNTRIES = ("AUS", "CHN", "USA")
GOODS = ("A01", "C29")


def write_release(path: Path, countries=COUNTRIES, industries=GOODS, final=FINAL_USE, seed=0,
                  negative_inventory=False) -> dict[tuple[str, str], float]:
    """An ICIO release CSV in the published layout; returns every (row, column) value written."""
    rng = np.random.default_rng(seed)
    rows = [f"{c}_{k}" for c in countries for k in industries]
    use = [f"{c}_{k}" for c in countries for k in industries] + [f"{c}_{f}" for c in countries for f in final]
    values: dict[tuple[str, str], float] = {}
    for r in rows:
        for col in use:
            value = float(rng.integers(1, 1000))
            if col.endswith("_INVNT"):
                value = -value if negative_inventory else float(rng.integers(-5, 5))
            values[r, col] = value
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["V1", *use, "OUT"])
        for r in rows:
            line = [values[r, col] for col in use]
            out.writerow([r, *line, sum(line)])
        for bottom in ("TLS", "VA"):
            out.writerow([bottom, *rng.integers(0, 100, len(use)).astype(float), 0.0])
        out.writerow(["OUT", *[sum(values[r, col] for r in rows) for col in use], 0.0])
    return values


def expected_sales(values, countries, industries) -> np.ndarray:
    """X[i, j, k] by explicit loops: row i_k summed over every column of importer j."""
    sales = np.zeros((len(countries), len(countries), len(industries)))
    for (row, col), value in values.items():
        exporter, industry = row.split("_", 1)
        importer = col.split("_", 1)[0]
        sales[countries.index(exporter), countries.index(importer), industries.index(industry)] += value
    return sales


def write_tariffs(path: Path, rows) -> Path:
    pd.DataFrame(rows, columns=["exporter", "importer", "sector", "tariff"]).to_csv(path, index=False)
    return path


def test_sales_are_rows_summed_over_the_importers_use_columns(tmp_path):
    values = write_release(tmp_path / "2019.csv")
    release = read_icio_release(tmp_path / "2019.csv")
    assert release.countries == COUNTRIES and release.industries == GOODS
    assert release.final_use == FINAL_USE
    expected = expected_sales(values, COUNTRIES, GOODS)
    clipped = int((expected < 0).sum())
    np.testing.assert_allclose(release.sales, np.maximum(expected, 0), rtol=1e-12)
    assert release.negative_cells == clipped
    # orientation: AUS's A01 bought by CHN firms and households is the AUS -> CHN cell
    chn_use = sum(v for (r, c), v in values.items() if r == "AUS_A01" and c.startswith("CHN_"))
    assert release.sales[0, 1, 0] == pytest.approx(chn_use)


def test_negative_sums_are_set_to_zero_and_counted(tmp_path):
    write_release(tmp_path / "x.csv", final=("HFCE", "INVNT"), negative_inventory=True, seed=3)
    values = {}
    release = read_icio_release(tmp_path / "x.csv")
    assert (release.sales >= 0).all()
    raw = pd.read_csv(tmp_path / "x.csv", index_col=0)
    for i, c in enumerate(COUNTRIES):
        for j, d in enumerate(COUNTRIES):
            for k, g in enumerate(GOODS):
                values[i, j, k] = raw.loc[f"{c}_{g}", [col for col in raw.columns if col.startswith(f"{d}_")]].sum()
    assert release.negative_cells == sum(v < 0 for v in values.values())


def test_build_world_puts_each_tariff_on_its_cell_and_reads_back(tmp_path):
    write_release(tmp_path / "ICIO2023_2019.csv")
    tariffs = write_tariffs(tmp_path / "t.csv", [("CHN", "USA", "C29", 0.25), ("USA", "CHN", "A01", 0.1),
                                                 ("AUS", "AUS", "A01", 0.0)])
    world, _ = build_world(tmp_path / "ICIO2023_2019.csv", tariffs)
    assert world.year == 2019 and world.sectors == GOODS
    chn, usa = (world.countries.index(c) for c in ("CHN", "USA"))
    assert world.tariffs[chn, usa, 1] == 0.25 and world.tariffs[usa, chn, 0] == 0.1
    assert np.count_nonzero(world.tariffs) == 2
    assert world.sector_groups["vehicles"] == ("C29",) and world.sigma.tolist() == [5.0, 5.0]
    result = runner.invoke(app, ["data", "build", "--icio", str(tmp_path / "ICIO2023_2019.csv"), "--tariffs",
                                 str(tariffs), "--out", str(tmp_path / "built")])
    assert result.exit_code == 0, result.output
    back = read_world(tmp_path / "built")
    np.testing.assert_array_equal(back.trade, world.trade)
    np.testing.assert_array_equal(back.tariffs, world.tariffs)
    assert back.countries == world.countries and back.sectors == world.sectors
    meta = json.loads((tmp_path / "built" / "dataset.json").read_text())
    assert meta["year"] == 2019 and meta["final_use"] == list(FINAL_USE)
    assert (tmp_path / "built" / "README.md").is_file()
    again = runner.invoke(app, ["data", "build", "--icio", str(tmp_path / "ICIO2023_2019.csv"), "--tariffs",
                                str(tariffs), "--out", str(tmp_path / "built")])
    assert again.exit_code == 1 and "not empty" in again.stderr


def test_services_merge_into_one_sector_with_flow_weighted_tariffs(tmp_path):
    industries = ("A01", "C29", "D35", "G")
    values = write_release(tmp_path / "2020.csv", industries=industries, seed=5)
    tariffs = write_tariffs(tmp_path / "t.csv", [("CHN", "USA", "D35", 0.2), ("CHN", "USA", "G", 0.0),
                                                 ("USA", "AUS", "SERV", 0.05)])
    world, _ = build_world(tmp_path / "2020.csv", tariffs)
    assert world.sectors == ("A01", "C29", "SERV")
    expected = np.maximum(expected_sales(values, COUNTRIES, industries), 0)
    np.testing.assert_allclose(world.trade[:, :, 2], expected[:, :, 2] + expected[:, :, 3])
    chn, usa, aus = (world.countries.index(c) for c in ("CHN", "USA", "AUS"))
    d35, g = expected[chn, usa, 2], expected[chn, usa, 3]
    assert world.tariffs[chn, usa, 2] == pytest.approx(0.2 * d35 / (d35 + g))
    assert world.tariffs[usa, aus, 2] == pytest.approx(0.05)
    kept, _ = build_world(tmp_path / "2020.csv", write_tariffs(tmp_path / "k.csv", [("CHN", "USA", "G", 0.1)]),
                          services="keep")
    assert kept.sectors == industries


def test_split_country_parts_merge(tmp_path):
    values = write_release(tmp_path / "2016.csv", countries=("CN1", "CN2", "USA"))
    release = read_icio_release(tmp_path / "2016.csv")
    assert release.countries == ("CHN", "USA") and release.merged == ("CN1", "CN2")
    merged = {}
    for (row, col), v in values.items():
        r = row.replace("CN1", "CHN").replace("CN2", "CHN")
        c = col.replace("CN1", "CHN").replace("CN2", "CHN")
        merged[r, c] = merged.get((r, c), 0.0) + v
    np.testing.assert_allclose(release.sales, np.maximum(expected_sales(merged, ("CHN", "USA"), GOODS), 0))


@pytest.mark.parametrize("fault, message", [
    (lambda text: text.replace("USA_C29,", "USA-C29,", 1), "line 1"),          # a use column outside the layout
    (lambda text: text.replace("\nAUS_C29,", "\nAUSC29,", 1), "line 3"),      # a row label outside the layout
    (lambda text: text.replace("\nCHN_A01,", "\nCHN_A01,,", 1), None),        # a missing value shifts a row
])
def test_layout_faults_name_the_line(tmp_path, fault, message):
    write_release(tmp_path / "r.csv")
    path = tmp_path / "r.csv"
    path.write_text(fault(path.read_text()))
    with pytest.raises(DataValidationError) as caught:
        read_icio_release(path)
    assert str(path) in str(caught.value) or path.name in str(caught.value)
    if message:
        assert message in str(caught.value)


def test_missing_value_names_row_and_column(tmp_path):
    write_release(tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text().splitlines()
    cells = lines[2].split(",")
    cells[3] = ""
    lines[2] = ",".join(cells)
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match=r"line 3, row AUS_C29, column CHN_A01: missing.*write 0"):
        read_icio_release(tmp_path / "r.csv")


@pytest.mark.parametrize("row, message", [
    (("CHN", "JPN", "C29", 0.1), r"t.csv line 2, column 'importer': unknown importer 'JPN'"),
    (("CHN", "CHN", "C29", 0.1), r"line 2.*own goods"),
    (("CHN", "USA", "C299", 0.1), r"unknown sector 'C299'. Did you mean 'C29'"),
    (("CHN", "USA", "C29", -2), r"line 2, column 'tariff'.*not a tariff"),
])
def test_tariff_table_faults_name_the_line(tmp_path, row, message):
    write_release(tmp_path / "2019.csv")
    with pytest.raises(DataValidationError, match=message):
        build_world(tmp_path / "2019.csv", write_tariffs(tmp_path / "t.csv", [row]))


def test_repeated_tariff_cell_and_bad_options(tmp_path):
    write_release(tmp_path / "2019.csv")
    repeated = write_tariffs(tmp_path / "t.csv", [("CHN", "USA", "C29", 0.1), ("CHN", "USA", "C29", 0.2)])
    with pytest.raises(DataValidationError, match="line 3: the cell CHN -> USA, C29 repeats line 2"):
        build_world(tmp_path / "2019.csv", repeated)
    ok = write_tariffs(tmp_path / "ok.csv", [])
    with pytest.raises(OptionError, match="--sigma"):
        build_world(tmp_path / "2019.csv", ok, sigma=1.0)
    with pytest.raises(OptionError, match="--services"):
        build_world(tmp_path / "2019.csv", ok, services="drop")


def test_year_in_file_name():
    assert year_of("2019.csv") == 2019 and year_of("ICIO2023_2011.csv") == 2011 and year_of("2022_SML.csv") == 2022
    assert year_of("release.csv") is None


def test_build_help_says_where_the_releases_are():
    result = runner.invoke(app, ["data", "build", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for words in ("OECD", "Teti", "WIOD", "HFCE", "Example:"):
        assert words in result.output


def test_a_built_folder_reads_back_as_the_world_of_the_release_with_its_year_label_and_groups(tmp_path):
    """dataset.json carries the year and the label; the EU is the EU of the data year (the UK in, 2019), EU27
    the EU after Brexit; a scenario on EU27 changes DEU and FRA only."""
    from tariffsim.scenario import scenario_from_dict

    countries = ("DEU", "FRA", "GBR", "USA")
    write_release(tmp_path / "2019.csv", countries=countries)
    tariffs = write_tariffs(tmp_path / "t.csv", [("DEU", "USA", "C29", 0.025)])
    release, _ = build_world(tmp_path / "2019.csv", tariffs)
    result = runner.invoke(app, ["data", "build", "--icio", str(tmp_path / "2019.csv"), "--tariffs", str(tariffs),
                                 "--out", str(tmp_path / "built")])
    assert result.exit_code == 0, result.output
    back = read_world(tmp_path / "built")
    assert back.year == release.year == 2019
    assert back.label == release.label and back.label.startswith("OECD ICIO 2019 (2019.csv")
    assert back.country_groups == release.country_groups
    assert back.country_groups["EU"] == ("DEU", "FRA", "GBR") and back.country_groups["EU27"] == ("DEU", "FRA")
    for field in ("countries", "sectors", "country_names", "sector_names", "sector_groups", "elasticity"):
        assert getattr(back, field) == getattr(release, field), field
    for field in ("trade", "tariffs", "sigma"):
        np.testing.assert_array_equal(getattr(back, field), getattr(release, field))
    scenario = scenario_from_dict({"title": "cars", "description": "EU27 cars", "change": [
        {"description": "US adds 10 points on EU27 cars", "importers": ["USA"], "exporters": ["EU27"],
         "sectors": ["C29"], "add_points": 10}]})
    with pytest.warns(ScenarioWarning, match="EU27 has 2 of its 27 members in this world.*not the EU of 2019"):
        policy = scenario.apply(back)
    changed = np.argwhere(policy.tariffs != back.tariffs)
    usa, c29 = back.country_index("USA"), back.sectors.index("C29")
    assert changed.tolist() == [[back.country_index("DEU"), usa, c29], [back.country_index("FRA"), usa, c29]]


def test_a_folder_with_a_bad_dataset_json_is_refused_naming_the_line(tmp_path):
    write_release(tmp_path / "2019.csv")
    tariffs = write_tariffs(tmp_path / "t.csv", [])
    assert runner.invoke(app, ["data", "build", "--icio", str(tmp_path / "2019.csv"), "--tariffs", str(tariffs),
                               "--out", str(tmp_path / "built")]).exit_code == 0
    meta = tmp_path / "built" / "dataset.json"
    meta.write_text(meta.read_text().replace('"year": 2019', '"year": "soon"'))
    with pytest.raises(DataValidationError, match=r'dataset.json: "year" is \'soon\', not a year; fix'):
        read_world(tmp_path / "built")
    meta.write_text('{"year": 2019,\n "label": }')
    with pytest.raises(DataValidationError, match=r"dataset.json line 2, column 11: not valid JSON"):
        read_world(tmp_path / "built")
