"""read_world: the demo world, long-format folders by path or name, and clear errors otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_world, write_long
from tariffsim.synthetic import DEMO_LABEL, random_world


def test_demo():
    assert read_world("demo").label == DEMO_LABEL


def test_long_folder_by_path_and_by_name_under_the_data_root(tmp_path, monkeypatch):
    world = random_world(3, 2, seed=7)
    folder = write_long(world, tmp_path / "mine", "parquet")
    np.testing.assert_array_equal(read_world(folder).trade, world.trade)
    monkeypatch.setenv("TARIFFSIM_DATA", str(tmp_path))
    np.testing.assert_array_equal(read_world("mine").tariffs, world.tariffs)


def test_a_flows_file_alone_says_what_else_is_needed(tmp_path):
    flows = write_long(random_world(2, 1), tmp_path / "w") / "flows.csv"
    match = r"flows.csv: a flows table alone is not a data set; fix: give the folder holding flows.*sectors"
    with pytest.raises(DataValidationError, match=match + r".*read_long\(flows, sectors\)"):
        read_world(flows)


def test_another_single_file_is_not_a_data_set(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataValidationError, match=r"notes.txt is a single file, not a data set folder"):
        read_world(tmp_path / "notes.txt")


def test_a_folder_of_no_known_layout_lists_the_expected_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataValidationError, match=r"matches no known data layout \(found: notes.txt\); fix: give a "
                                                  r"folder holding either trade_ijs.csv.*\(Ossa-style\), or "
                                                  r"flows.*\(long format\)"):
        read_world(tmp_path)


def test_unknown_name(tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(tmp_path))
    with pytest.raises(DataValidationError, match=r"data set 'nowhere' not found"):
        read_world("nowhere")
