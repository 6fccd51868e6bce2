"""Long-format tables: a valid 2-country x 2-sector folder, and one test per kind of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_long, read_long_folder

FLOWS_HEADER = "exporter,importer,sector,value,tariff"
# CSV line numbers: the header is line 1, so FLOWS[k] is on line k + 2.
FLOWS = [
    "A,A,x,10,0",  # line 2
    "A,A,y,20,0",  # line 3
    "A,B,x,1,0.1",  # line 4
    "A,B,y,2,0.2",  # line 5
    "B,A,x,3,0.3",  # line 6
    "B,A,y,4,0.4",  # line 7
    "B,B,x,30,0",  # line 8
    "B,B,y,40,0",  # line 9
]
SECTORS = ["sector,sigma,name", "x,3,Ex goods", "y,5,Why goods"]
COUNTRIES = ["code,name", "A,Aland", "B,Bland"]


def write_folder(folder, flows=None, sectors=None, countries=None, groups=None, flows_header=FLOWS_HEADER):
    """Write flows.csv, sectors.csv, countries.csv (and groups.csv if given) into ``folder``."""
    tables = {"flows": [flows_header, *(FLOWS if flows is None else flows)],
              "sectors": SECTORS if sectors is None else sectors,
              "countries": COUNTRIES if countries is None else countries}
    if groups is not None:
        tables["groups"] = groups
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


def with_line(line: int, text: str) -> list[str]:
    """FLOWS with CSV line ``line`` replaced by ``text``."""
    rows = list(FLOWS)
    rows[line - 2] = text
    return rows


def test_valid_folder_gives_the_cube_in_exporter_importer_sector_order(tmp_path):
    world = read_long_folder(write_folder(tmp_path))
    assert world.countries == ("A", "B")
    assert world.country_names == ("Aland", "Bland")
    assert world.sectors == ("x", "y")
    assert world.sector_names == ("Ex goods", "Why goods")
    assert world.trade[0, 1, 1] == 2.0 and world.trade[1, 0, 0] == 3.0
    assert world.tariffs[1, 0, 1] == 0.4
    np.testing.assert_array_equal(world.sigma, [3.0, 5.0])
    assert world.sector_groups == {}
    assert all(type(name) is str for name in world.countries + world.country_names + world.sector_names)


def test_row_order_does_not_matter_and_errors_point_to_the_shuffled_row(tmp_path):
    ordered = read_long_folder(write_folder(tmp_path))
    shuffled = read_long_folder(write_folder(tmp_path, flows=FLOWS[::-1]))
    np.testing.assert_array_equal(shuffled.trade, ordered.trade)
    np.testing.assert_array_equal(shuffled.tariffs, ordered.tariffs)
    rows = FLOWS[::-1]
    rows[0] = "B,B,y,-40,0"  # line 2 now holds cell (B, B, y)
    with pytest.raises(DataValidationError, match=r"negative at flows.csv line 2, column 'value'"):
        read_long_folder(write_folder(tmp_path, flows=rows))


def test_without_countries_table_countries_follow_first_appearance(tmp_path):
    rows = FLOWS[4:] + FLOWS[:4]  # B's rows first
    flows = tmp_path / "flows.csv"
    flows.write_text("\n".join([FLOWS_HEADER, *rows]) + "\n")
    (tmp_path / "sectors.csv").write_text("\n".join(SECTORS) + "\n")
    world = read_long(flows, tmp_path / "sectors.csv")
    assert world.countries == ("B", "A")
    assert world.trade[0, 1, 0] == 3.0  # B -> A, sector x


def test_column_mapping_renames_flows_columns_and_errors_cite_the_users_names(tmp_path):
    header = "iso_o,iso_d,hs,trade,tariff"
    mapping = {"iso_o": "exporter", "iso_d": "importer", "hs": "sector", "trade": "value"}
    world = read_long_folder(write_folder(tmp_path, flows_header=header), columns=mapping)
    assert world.trade[0, 1, 1] == 2.0
    write_folder(tmp_path, flows=with_line(5, "A,B,y,lots,0.2"), flows_header=header)
    with pytest.raises(DataValidationError, match=r"flows.csv line 5, column 'trade' \(value: 'lots'\)"):
        read_long_folder(tmp_path, columns=mapping)


def test_aliases_and_gtap_groups(tmp_path):
    flows = [row.replace(",x,", ",mvh,").replace(",y,", ",ric,") for row in FLOWS]
    sectors = ["sector,sigma", "mvh,3", "ric,5"]
    countries = ["code,name,aliases", "A,Aland;,Land of A; Alandia", "B,Bland,"]
    world = read_long_folder(write_folder(tmp_path, flows, sectors, countries))
    assert world.country_aliases == {"Land of A": "A", "Alandia": "A"}
    assert world.country_index("alandia") == 0
    assert world.sector_groups["vehicles"] == ("mvh",)
    assert world.sector_groups["agriculture"] == ("ric",)


def test_groups_table_overrides_gtap_groups(tmp_path):
    world = read_long_folder(write_folder(tmp_path, groups=["group,sector", "both,y", "both,x", "one,x"]))
    assert world.sector_groups == {"both": ("y", "x"), "one": ("x",)}


def test_dataframes_are_accepted_and_located_by_iloc():
    flows = pd.DataFrame([row.split(",") for row in FLOWS], columns=FLOWS_HEADER.split(","))
    flows["value"] = flows["value"].astype(float)
    sectors = pd.DataFrame({"sector": ["x", "y"], "sigma": [3.0, 5.0]})
    world = read_long(flows, sectors)
    assert world.trade[1, 1, 1] == 40.0
    flows.loc[2, "value"] = -1.0
    with pytest.raises(DataValidationError, match=r"negative at flows DataFrame iloc 2, column 'value'"):
        read_long(flows, sectors)


def test_whole_float_codes_read_as_integers():
    """Integer codes in a column with a missing cell arrive as floats (1.0): they mean code "1"."""
    flows = pd.DataFrame({"exporter": [1.0, 1.0, 2.0, 2.0], "importer": [1, 2, 1, 2], "sector": ["x"] * 4,
                          "value": [5.0, 1.0, 1.0, 5.0], "tariff": [0.0, 0.1, 0.2, 0.0]})
    world = read_long(flows, pd.DataFrame({"sector": ["x"], "sigma": [4.0]}))
    assert world.countries == ("1", "2")
    assert world.tariffs[1, 0, 0] == 0.2


def test_stata_flows_round_trip_and_are_located_by_record(tmp_path):
    csv_world = read_long_folder(write_folder(tmp_path))
    flows = pd.read_csv(tmp_path / "flows.csv")
    (tmp_path / "flows.csv").unlink()
    flows.to_stata(tmp_path / "flows.dta", write_index=False)
    dta_world = read_long_folder(tmp_path)
    np.testing.assert_array_equal(dta_world.trade, csv_world.trade)
    np.testing.assert_array_equal(dta_world.tariffs, csv_world.tariffs)
    flows.loc[1, "tariff"] = -2.0
    flows.to_stata(tmp_path / "flows.dta", write_index=False)
    with pytest.raises(DataValidationError, match=r"flows.dta row 2, column 'tariff' \(value: -2.0\)"):
        read_long_folder(tmp_path)


BAD_FLOWS = [
    pytest.param(with_line(4, "A,B,x,abc,0.1"),
                 r"value is not a number at flows.csv line 4, column 'value' \(value: 'abc'\); fix: write a plain",
                 id="non-numeric value"),
    pytest.param(with_line(5, "A,B,y,-1,0.2"),
                 r"trade flow is negative at flows.csv line 5, column 'value' \(value: -1.0\); fix: trade flows",
                 id="negative flow"),
    pytest.param(with_line(6, "B,A,x,,0.3"),
                 r"trade flow is missing \(NaN\) at flows.csv line 6, column 'value' \(value: nan\)",
                 id="empty flow"),
    pytest.param(FLOWS[:5] + FLOWS[6:],
                 r"flows.csv has no row for 1 of 8 exporter-importer-sector cells, e.g. \(exporter B, "
                 r"importer A, sector y\).*fix: add one row per missing cell",
                 id="missing cell"),
    pytest.param(with_line(7, "B,A,x,5,0.3"),
                 r"duplicate row for cell \(exporter B, importer A, sector x\) \(also at flows.csv line 6\) "
                 r"at flows.csv line 7",
                 id="duplicate cell"),
    pytest.param(with_line(4, "A,B,x,1,-1"),
                 r"tariff is -100% or lower at flows.csv line 4, column 'tariff' \(value: -1.0\)",
                 id="tariff -100%"),
    pytest.param(with_line(2, "A,A,x,10,0.05"),
                 r"own \(domestic\) tariff is not zero at flows.csv line 2, column 'tariff' \(value: 0.05\)",
                 id="own tariff"),
    pytest.param(with_line(4, "A,BB,x,1,0.1"),
                 r"importer code 'BB' is unknown \(1 row\(s\)\) Did you mean 'B'\? at flows.csv line 4, "
                 r"column 'importer' \(value: 'BB'\); fix: add the country to countries.csv",
                 id="unknown country"),
    pytest.param(with_line(5, "A,B,yy,2,0.2"),
                 r"sector code 'yy' is unknown \(1 row\(s\)\) Did you mean 'y'\? at flows.csv line 5, "
                 r"column 'sector'.*fix: add the sector to sectors.csv \(with its sigma\)",
                 id="unknown sector"),
    pytest.param(with_line(3, " ,A,y,20,0"), r"empty exporter code at flows.csv line 3, column 'exporter'",
                 id="empty code"),
    pytest.param([row.replace("A,A,x,10", "A,A,x,0").replace("A,A,y,20", "A,A,y,0").replace("A,B,x,1", "A,B,x,0")
                  .replace("A,B,y,2", "A,B,y,0") for row in FLOWS],
                 r"country sells nothing .* at country A \(its rows in flows.csv: exporter = A, or importer = A\)",
                 id="sells nothing"),
]


@pytest.mark.parametrize(("flows", "match"), BAD_FLOWS)
def test_bad_flows_are_located(tmp_path, flows, match):
    with pytest.raises(DataValidationError, match=match):
        read_long_folder(write_folder(tmp_path, flows=flows))


@pytest.mark.parametrize(("tables", "match"), [
    pytest.param({"flows_header": "exporter,importer,sector,value"},
                 r"flows.csv lacks required column\(s\) 'tariff' \(found: 'exporter', 'importer', 'sector', "
                 r"'value'\).*columns=", id="missing column"),
    pytest.param({"sectors": ["sector,sigma", "x,3", "y,5", "x,4"]},
                 r"duplicate sector code 'x' \(also at sectors.csv line 2, column 'sector'\) at sectors.csv line 4",
                 id="duplicate sector"),
    pytest.param({"countries": ["code,name", "A,Aland", "B,Bland", "A,Again"]},
                 r"duplicate country code 'A' \(also at countries.csv line 2, column 'code'\) at countries.csv "
                 r"line 4", id="duplicate country"),
    pytest.param({"sectors": ["sector,sigma", "x,3", "y,"]},
                 r"elasticity of substitution must be a number above 1 at sectors.csv line 3, column 'sigma' "
                 r"\(value: nan\)", id="sector without elasticity"),
    pytest.param({"sectors": ["sector,sigma", "x,0.9", "y,5"]},
                 r"above 1 at sectors.csv line 2, column 'sigma' \(value: 0.9\); fix: use sigma > 1",
                 id="sigma below 1"),
    pytest.param({"sectors": ["sector,sigma", "x,three", "y,5"]},
                 r"sigma is not a number at sectors.csv line 2, column 'sigma' \(value: 'three'\)",
                 id="non-numeric sigma"),
    pytest.param({"groups": ["group,sector", "g,x", "g,xz"]},
                 r"sector code 'xz' is unknown \(1 row\(s\)\) Did you mean 'x'\? at groups.csv line 3",
                 id="unknown group member"),
])
def test_bad_side_tables_are_located(tmp_path, tables, match):
    with pytest.raises(DataValidationError, match=match):
        read_long_folder(write_folder(tmp_path, **tables))


def test_all_problems_of_a_stage_are_listed_together(tmp_path):
    flows = with_line(4, "A,B,x,abc,0.1")
    with pytest.raises(DataValidationError, match=r"2 problem\(s\) found") as caught:
        read_long_folder(write_folder(tmp_path, flows=flows, sectors=["sector,sigma", "x,3", "y,zz"]))
    assert "flows.csv line 4, column 'value' (value: 'abc')" in str(caught.value)
    assert "sectors.csv line 3, column 'sigma' (value: 'zz')" in str(caught.value)


def test_unreadable_csv_names_the_file(tmp_path):
    write_folder(tmp_path, flows=with_line(4, "A,B,x,1,0.1,extra,fields"))
    with pytest.raises(DataValidationError, match=r"flows.csv: cannot be read as a csv table"):
        read_long_folder(tmp_path)


def test_unsupported_suffix_is_refused(tmp_path):
    with pytest.raises(DataValidationError, match=r"cannot read a flows table from a .xlsx file"):
        read_long(tmp_path / "flows.xlsx", tmp_path / "sectors.csv")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataValidationError, match=r"sectors table .*sectors.parquet not found"):
        read_long(write_folder(tmp_path) / "flows.csv", tmp_path / "sectors.parquet")


def test_folder_without_sectors_table_lists_what_is_expected(tmp_path):
    write_folder(tmp_path)
    (tmp_path / "sectors.csv").unlink()
    with pytest.raises(DataValidationError, match=r"lacks sectors table; expected flows.\{csv,parquet,dta\} and "
                                                  r"sectors.*\(found: countries.csv, flows.csv\)"):
        read_long_folder(tmp_path)


def test_a_folder_without_sectors_table_never_lists_the_whole_folder(tmp_path):
    """Issue 11: a scenario could point at /etc; the message names at most 5 tables and counts the rest, as
    read_world's "no known layout" message does (one helper, ``folder_contents``)."""
    write_folder(tmp_path)
    (tmp_path / "sectors.csv").unlink()
    for k in range(12):
        (tmp_path / f"private-{k:02d}.key").write_text("secret")
    with pytest.raises(DataValidationError) as caught:
        read_long_folder(tmp_path)
    assert "private" not in str(caught.value)
    assert "(found: countries.csv, flows.csv and 12 other entries)" in str(caught.value)


def test_two_flows_tables_are_ambiguous(tmp_path):
    write_folder(tmp_path)
    pd.read_csv(tmp_path / "flows.csv").to_parquet(tmp_path / "flows.parquet")
    with pytest.raises(DataValidationError, match=r"several flows tables \(flows.csv, flows.parquet\)"):
        read_long_folder(tmp_path)


def test_not_a_folder(tmp_path):
    with pytest.raises(DataValidationError, match=r"nowhere is not a folder"):
        read_long_folder(tmp_path / "nowhere")


def test_dataset_json_gives_the_year_its_country_groups_and_a_label_naming_source_and_year(tmp_path):
    """A user's folder with a dataset.json of its own (no label): the label is its short name and the year."""
    flows = [row.replace("A,", "GBR,").replace(",A,", ",GBR,").replace("B,", "FRA,").replace(",B,", ",FRA,")
             for row in FLOWS]
    write_folder(tmp_path, flows, countries=["code", "GBR", "FRA"])
    assert read_long_folder(tmp_path).year is None  # no dataset.json: no year
    (tmp_path / "dataset.json").write_text('{"years": [2005], "short": "my survey", "source": "a long text"}')
    world = read_long_folder(tmp_path)
    assert world.year == 2005 and world.label == "my survey 2005: 2 economies x 2 sectors"
    assert world.country_groups["EU"] == ("GBR", "FRA") and world.country_groups["EU27"] == ("FRA",)
    (tmp_path / "dataset.json").write_text("[2005]")
    with pytest.raises(DataValidationError, match=r"dataset.json: holds a JSON list, not an object; fix"):
        read_long_folder(tmp_path)
