"""Ossa-style folders: a valid 2-region x 2-sector folder, and one test per kind of bad file."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_ossa

# Block s of the stacked files holds exporters in rows, importers in columns; sector ric is rows 1-2.
FILES = {
    "regions.csv": "No.,String\n1,Brazil\n2,US\n",
    "labels.csv": '"ric"\n"mvh"\n',
    "sectors.csv": "No.,String,String\n1,ric,Rice\n2,mvh,Motor vehicles\n3,xxx,All other sectors\n",
    "trade_ijs.csv": "10,1\n2,20\n30,3\n4,40\n",
    "tariff_ijs.csv": "0,.1\n.2,0\n0,.3\n.4,0\n",
    "sigma_s.csv": "3,3.1,4,5,4\n5,5.2,6,8,4\n",
}


def write_folder(folder, **replaced):
    """The valid folder with some files replaced (``trade_ijs="..."``) or removed (``labels=None``)."""
    for name, text in {**FILES, **{f"{k}.csv": v for k, v in replaced.items()}}.items():
        if text is not None:
            (folder / name).write_text(text)
    return folder


def test_valid_folder(tmp_path):
    world = read_ossa(write_folder(tmp_path))
    assert world.countries == ("BRA", "USA")
    assert world.country_names == ("Brazil", "US")
    assert world.country_index("United States") == 1
    assert world.sectors == ("ric", "mvh")
    assert world.sector_names == ("Rice", "Motor vehicles")
    assert world.trade[0, 1, 1] == 3.0  # BRA -> USA, mvh: row 3, column 2
    assert world.tariffs[1, 0, 0] == 0.2  # USA's goods in Brazil, ric: row 2, column 1
    np.testing.assert_array_equal(world.sigma, [3.0, 5.0])
    assert world.sector_groups["vehicles"] == ("mvh",)
    assert world.sector_groups["agriculture"] == ("ric",)


def test_sectors_csv_replaces_labels_and_its_extra_row_is_ignored(tmp_path):
    world = read_ossa(write_folder(tmp_path, labels=None))
    assert world.sectors == ("ric", "mvh")
    assert world.sector_names == ("Rice", "Motor vehicles")


def test_unknown_region_keeps_its_name_as_code(tmp_path):
    world = read_ossa(write_folder(tmp_path, regions="No.,String\n1,Narnia\n2,US\n"))
    assert world.countries == ("Narnia", "USA")


@pytest.mark.parametrize(("version", "column"), [
    ("main", 0), ("Main", 0), ("low", 1), ("Low_Sig", 1), ("med", 2), ("Med_Sig", 2),
    ("high", 3), ("High_Sig", 3), ("novar", 4), ("Novar_Sig", 4),
])
def test_sigma_version_selects_the_column(tmp_path, version, column):
    table = np.array([[3, 3.1, 4, 5, 4], [5, 5.2, 6, 8, 4]])
    np.testing.assert_array_equal(read_ossa(write_folder(tmp_path), version).sigma, table[:, column])


def test_unknown_sigma_version(tmp_path):
    with pytest.raises(DataValidationError, match=r"unknown sigma version 'mian'. Did you mean 'main'\?"):
        read_ossa(write_folder(tmp_path), "mian")


@pytest.mark.parametrize(("files", "match"), [
    pytest.param({"trade_ijs": None}, r"lacks trade_ijs.csv; fix: give the folder holding", id="missing file"),
    pytest.param({"labels": None, "sectors": None}, r"lacks labels.csv or sectors.csv", id="no sector names"),
    pytest.param({"trade_ijs": "10,1\n2,20\n30,3\n"},
                 r"trade_ijs.csv has 3 rows, expected 4 \(2 regions in regions.csv x 2 sectors in labels.csv\)",
                 id="too few rows"),
    pytest.param({"tariff_ijs": "0,.1,0\n.2,0,0\n0,.3,0\n.4,0,0\n"},
                 r"tariff_ijs.csv has 3 columns, expected 2 \(2 regions", id="too many columns"),
    pytest.param({"trade_ijs": "10,1\n2\n30,3\n4,40\n"},
                 r"row has 1 columns, expected 2 .* at trade_ijs.csv line 2 \(value: 1\)", id="ragged row"),
    pytest.param({"sigma_s": "3,3.1,4,5\n5,5.2,6,8\n"}, r"sigma_s.csv has 4 columns, expected 5 \(2 sectors x 5",
                 id="sigma columns"),
    pytest.param({"trade_ijs": "10,1\n2,20\nx,3\n4,40\n"},
                 r"value is not a number at trade_ijs.csv line 3, column 1 \(value: 'x'\)", id="non-numeric"),
    pytest.param({"trade_ijs": "10,1\n2,20\n30,-3\n4,40\n"},
                 r"trade flow is negative at trade_ijs.csv line 3, column 2 \(exporter BRA, importer USA, "
                 r"sector mvh\) \(value: -3.0\)", id="negative flow"),
    pytest.param({"trade_ijs": "10,1\n2,20\n30,nan\n4,40\n"},
                 r"trade flow is missing \(NaN\) at trade_ijs.csv line 3, column 2", id="NaN flow"),
    pytest.param({"tariff_ijs": "0,.1\n.2,0\n0,.3\n.4,.01\n"},
                 r"own \(domestic\) tariff is not zero at tariff_ijs.csv line 4, column 2 \(exporter USA, "
                 r"importer USA, sector mvh\) \(value: 0.01\)", id="own tariff"),
    pytest.param({"tariff_ijs": "0,-1\n.2,0\n0,.3\n.4,0\n"},
                 r"tariff is -100% or lower at tariff_ijs.csv line 1, column 2", id="tariff -100%"),
    pytest.param({"sigma_s": "3,3.1,4,5,4\n1,5.2,6,8,4\n"},
                 r"above 1 at sigma_s.csv line 2, column 1 \(sector mvh\) \(value: 1.0\)", id="sigma 1"),
    pytest.param({"trade_ijs": "0,0\n2,20\n0,0\n4,40\n"},
                 r"sells nothing .* at country BRA \(trade_ijs.csv column 1, row 1 of every 2-row block\)",
                 id="sells nothing"),
    pytest.param({"regions": "No.,String\n1,US\n2,US\n"},
                 r"duplicate region code 'US' \(also at regions.csv line 2\) at regions.csv line 3",
                 id="duplicate region"),
    pytest.param({"labels": '"ric"\n"ric"\n'},
                 r"duplicate sector code 'ric' \(also at labels.csv line 1\) at labels.csv line 2",
                 id="duplicate sector"),
])
def test_bad_files_are_located(tmp_path, files, match):
    with pytest.raises(DataValidationError, match=match):
        read_ossa(write_folder(tmp_path, **files))


def test_sigma_problem_names_the_versions_column(tmp_path):
    folder = write_folder(tmp_path, sigma_s="3,3.1,4,5,4\n5,5.2,6,8,0.5\n")
    with pytest.raises(DataValidationError, match=r"sigma_s.csv line 2, column 5 \(sector mvh\)"):
        read_ossa(folder, "novar")


def test_a_users_folder_gets_no_guessed_year(tmp_path):
    assert read_ossa(write_folder(tmp_path)).year is None
    named = tmp_path / "ossa2014"  # the name of the published data set does not make it that data set
    named.mkdir()
    assert read_ossa(write_folder(named)).year is None


def test_ossa2014_is_the_data_of_2007_under_any_name(data_dir, tmp_path):
    """README: "7 regions x 33 industries, 2007" (GTAP 8); ``catalog.KNOWN`` says so too."""
    import shutil

    from tariffsim.catalog import KNOWN

    assert read_ossa(data_dir / "ossa2014").year == 2007 == KNOWN["ossa2014"].years[0]
    shutil.copytree(data_dir / "ossa2014", tmp_path / "copy")
    assert read_ossa(tmp_path / "copy").year == 2007
    trade = tmp_path / "copy" / "trade_ijs.csv"
    trade.write_text(trade.read_text().replace(",", ",0", 1))  # one flow rewritten with a leading zero
    assert read_ossa(tmp_path / "copy").year is None
