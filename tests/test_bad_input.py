"""Issue 11: bad input files, paths and arrays give a TariffsimError naming the file, field or value and
the fix, never a Python traceback (TOML reader, data-set paths, scenario world names, World(...), aliases)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tariffsim.errors import DataValidationError, ScenarioError, TariffsimError
from tariffsim.gravity.experiment_file import load_experiment
from tariffsim.io import read_world
from tariffsim.io.detect import read_io_world
from tariffsim.report import load_pack
from tariffsim.scenario import load_scenario, scenario_from_dict
from tariffsim.synthetic import demo_world, random_world
from tariffsim.toml_schema import read_toml
from tariffsim.world import World

SCENARIO = ('title = "t"\ndescription = "d"\n'
            '[[change]]\ndescription = "caf\u00e9 cars"\nimporters = ["USA"]\nexporters = ["JPN"]\nadd_points = 25\n')
LONG_PATH = "x" * 5000


# ------------------------------------------------------------------------ the TOML reader (item 4)
def test_a_deeply_nested_toml_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(ScenarioError, match=r"deep\.toml: tables or lists nested too deeply \(more than 32 levels\)"
                                            r".*fix: use \[table\] and \[\[array\]\] headers"):
        load_scenario(path)


def test_a_nested_toml_file_that_python_can_parse_is_refused_too(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100 + "]" * 100 + "\n")
    with pytest.raises(ScenarioError, match=r"^.*deep\.toml: tables or lists nested too deeply"):
        read_toml(path, "scenario")


def test_a_file_that_is_not_utf8_is_refused_naming_the_file_line_and_fix(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(SCENARIO.encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin1\.toml: not a UTF-8 text file \(byte 0xe9 on line 4, .*\); "
                                            r"fix: save the scenario file as UTF-8"):
        load_scenario(path)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SCENARIO.encode("utf-8"))
    scenario = load_scenario(path)
    assert scenario.title == "t" and scenario.changes[0].description == "caf\u00e9 cars"


def test_a_folder_given_as_the_file_is_refused(tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match=r"folder\.toml: is a folder, not a scenario file; fix: give the path "
                                            r"of a scenario \.toml file inside it"):
        load_scenario(folder)


def test_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "locked.toml"
    path.write_text(SCENARIO)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)  # chmod 0 does not stop root, who runs CI
    with pytest.raises(ScenarioError, match=r"locked\.toml: permission denied: the scenario file cannot be read; "
                                            r"fix: make it readable"):
        load_scenario(path)


def test_an_overlong_toml_path_is_refused_shortened(tmp_path):
    with pytest.raises(ScenarioError, match=r"^scenario file 'x+\.\.\.x+' \(5000 characters\) cannot be read "
                                            r"\(File name too long\); fix: give the path of a scenario \.toml file$"):
        load_scenario(LONG_PATH)


def test_no_toml_path_at_all_is_refused():
    with pytest.raises(ScenarioError, match=r"^no scenario file given \(None\); fix: give the path"):
        load_scenario(None)


@pytest.mark.parametrize("kind, load", [("experiment", load_experiment), ("pack", load_pack)])
def test_experiment_and_pack_files_share_the_reader(tmp_path, kind, load):
    path = tmp_path / "pack.toml"
    path.write_bytes(b"title = \"\xff\"\n")
    with pytest.raises(ScenarioError, match=rf"pack\.toml: not a UTF-8 text file .*fix: save the {kind} file"):
        load(path if kind == "experiment" else tmp_path)


# ------------------------------------------------------------------------ data-set paths (item 8)
def test_a_5000_character_data_path_is_refused_without_oserror():
    with pytest.raises(DataValidationError, match=r"^data set 'x+\.\.\.x+' \(5000 characters\): the path is too "
                                                  r"long for the system \(5000 characters;.*fix: give --data a folder"):
        read_world(LONG_PATH)


def test_read_world_none_is_a_validation_error_not_a_type_error():
    with pytest.raises(DataValidationError, match=r"^no data set given \(None\); fix: give --data a folder, a "
                                                  r"data-set name under \$TARIFFSIM_DATA"):
        read_world(None)


def test_read_io_world_none_is_a_validation_error():
    with pytest.raises(DataValidationError, match=r"^no data set given \(None\)"):
        read_io_world(None)


def test_a_data_set_that_is_not_a_path_is_refused():
    with pytest.raises(DataValidationError, match=r"^data set 3: a data set is named by text or a pathlib\.Path, "
                                                  r"not int"):
        read_world(3)


def test_a_data_path_with_a_nul_character_is_refused():
    with pytest.raises(DataValidationError, match=r"the path holds a NUL character; fix:"):
        read_world("a\0b")


def test_cli_solve_with_a_5000_character_data_path_prints_one_error_line(tmp_path, monkeypatch):
    monkeypatch.delenv("TARIFFSIM_DATA", raising=False)
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO)
    done = subprocess.run([sys.executable, "-m", "tariffsim", "solve", "--scenario",
                           str(scenario), "--data", LONG_PATH], check=False, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: data set 'xxx"), done.stderr
    assert "the path is too long" in lines[0] and len(lines[0]) < 700
    assert "Traceback" not in done.stderr and "OSError" not in done.stderr


# ------------------------------------------------------------------------ scenario world names
BASE = {"title": "t", "description": "d",
        "change": [{"description": "c", "importers": ["USA"], "exporters": ["JPN"], "add_points": 25}]}


@pytest.mark.parametrize("name", ["../../../etc", "/etc", "sub/ossa2014", "a\\b", "..", "ossa..2014"])
def test_a_scenario_world_is_a_data_set_name_not_a_path(name):
    with pytest.raises(ScenarioError, match=r"^w\.toml: world = .*: (a data-set name|'\.\.' is a folder reference).*world names a data set, e\.g\. "
                                            r"world = \"ossa2014\" \(a folder under \$TARIFFSIM_DATA\); to use a "
                                            r"folder elsewhere, give it with --data$"):
        scenario_from_dict({**BASE, "world": name}, "w.toml")


def test_a_plain_world_name_is_accepted():
    assert scenario_from_dict({**BASE, "world": "ossa2014"}, "w.toml").world == "ossa2014"


def test_a_folder_of_no_known_layout_is_never_listed_whole(tmp_path):
    for k in range(40):
        (tmp_path / f"secret{k:02d}.conf").write_text("x")
        (tmp_path / f"table{k:02d}.csv").write_text("x")
    with pytest.raises(DataValidationError) as caught:
        read_world(tmp_path)
    message = str(caught.value)
    assert "secret" not in message and message.count("table") == 5
    assert "found: table00.csv, table01.csv, table02.csv, table03.csv, table04.csv and 75 other entries" in message


def test_a_folder_with_no_data_tables_says_how_many_entries_it_holds(tmp_path):
    for k in range(3):
        (tmp_path / f"passwd{k}").write_text("x")
    with pytest.raises(DataValidationError, match=r"matches no known data layout \(found no data tables among "
                                                  r"its 3 entries\); fix:"):
        read_world(tmp_path)


# ------------------------------------------------------------------------ World(...) arrays and names
def _replace(**changes):
    return random_world(2, 1, seed=1).replace(**changes)


def test_world_refuses_too_few_country_names():
    with pytest.raises(DataValidationError, match=r"^World\(country_names=\.\.\.\): 1 names for 2 countries "
                                                  r"\(C000, C001\); fix: give one name per code"):
        _replace(country_names=["only one"])


def test_world_refuses_too_many_sector_names():
    with pytest.raises(DataValidationError, match=r"^World\(sector_names=\.\.\.\): 2 names for 1 sectors .*leave "
                                                  r"sector_names out to use the codes"):
        _replace(sector_names=["a", "b"])


def test_world_refuses_complex_arrays():
    world = random_world(2, 1, seed=1)
    with pytest.raises(DataValidationError, match=r"^World\(trade=\.\.\.\): complex numbers \(dtype complex128\); "
                                                  r"fix: give real numbers"):
        World(countries=world.countries, sectors=world.sectors, trade=world.trade + 0j, tariffs=world.tariffs,
              sigma=world.sigma)


def test_world_refuses_an_infinite_sigma():
    with pytest.raises(DataValidationError, match=r"elasticity of substitution is infinite at sigma\[sector s00\] "
                                                  r"\(value: inf\); fix: use a finite sigma above 1"):
        _replace(sigma=[np.inf])


def test_world_refuses_text_in_an_array():
    with pytest.raises(DataValidationError, match=r"^World\(sigma=\.\.\.\): not an array of numbers"):
        _replace(sigma=["five"])


def test_world_refuses_a_missing_array():
    with pytest.raises(DataValidationError, match=r"^World\(tariffs=None\): tariffs is missing"):
        _replace(tariffs=None)


def test_world_refuses_a_bare_string_of_codes():
    with pytest.raises(DataValidationError, match=r"^World\(countries='AB'\): a single text, not a list of names"):
        _replace(countries="AB")


# ------------------------------------------------------------------------ agreement members by alias
def test_agreement_members_naming_one_country_twice_by_alias():
    scenario = scenario_from_dict({"title": "t", "description": "d",
                                   "agreement": [{"description": "fta", "members": ["USA", "US"]}]}, "a.toml")
    with pytest.raises(ScenarioError, match=r"^a\.toml, \[\[agreement\]\] #1 \('fta'\): members = \['USA', 'US'\]: "
                                            r"'USA' and 'US' denote the same country, USA \(United States\), so the "
                                            r"agreement has one member; name at least two different countries"):
        scenario.apply(demo_world())


def test_a_repeated_alias_beside_another_member_does_no_harm():
    scenario = scenario_from_dict({"title": "t", "description": "d",
                                   "agreement": [{"description": "fta", "members": ["USA", "US", "JPN"]}]}, "a.toml")
    scenario.apply(demo_world())


def test_every_error_here_is_a_tariffsim_error():
    assert issubclass(ScenarioError, TariffsimError) and issubclass(DataValidationError, TariffsimError)
