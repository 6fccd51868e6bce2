"""write_long: exact round trips through read_long_folder, and no half-written output on failure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim.errors import OptionError
from tariffsim.io import read_long_folder, write_long
from tariffsim.synthetic import demo_world, random_world


def assert_same_world(read, written):
    for field in ("countries", "sectors", "country_names", "sector_names", "sector_groups", "country_aliases"):
        assert getattr(read, field) == getattr(written, field), field
    for field in ("trade", "tariffs", "sigma"):
        np.testing.assert_array_equal(getattr(read, field), getattr(written, field), err_msg=field)


@pytest.mark.parametrize("format", ["csv", "parquet"])
@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 5), s=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_random_worlds_round_trip_exactly(tmp_path_factory, format, n, s, seed):
    world = random_world(n, s, seed)
    folder = write_long(world, tmp_path_factory.mktemp("long") / "world", format)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.{format}" for name in ("flows", "sectors", "countries", "groups"))
    assert_same_world(read_long_folder(folder), world)


@pytest.mark.parametrize("format", ["csv", "parquet"])
def test_names_groups_and_aliases_round_trip(tmp_path, format):
    world = demo_world()
    assert world.sector_groups and world.country_aliases  # the demo world has both
    assert_same_world(read_long_folder(write_long(world, tmp_path / "demo", format)), world)


def test_flows_table_is_one_row_per_cell_exporter_major(tmp_path):
    world = random_world(2, 3, seed=1)
    flows = pd.read_csv(write_long(world, tmp_path / "w") / "flows.csv")
    assert list(flows.columns) == ["exporter", "importer", "sector", "value", "tariff"]
    assert len(flows) == 2 * 2 * 3
    row = flows.iloc[5]  # exporter 0, importer 1, sector 2
    assert (row.exporter, row.importer, row.sector) == ("C000", "C001", "s02")
    assert row.value == world.trade[0, 1, 2] and row.tariff == world.tariffs[0, 1, 2]


def test_an_empty_existing_folder_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    assert (write_long(demo_world(), tmp_path / "empty") / "flows.csv").is_file()


def test_a_non_empty_folder_is_not_overwritten(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me")
    with pytest.raises(OptionError, match=r"full exists and is not an empty folder"):
        write_long(demo_world(), tmp_path / "full")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]


def test_a_failure_leaves_no_half_written_output(tmp_path, monkeypatch):
    original = pa_csv.write_csv
    calls = []

    def fail_on_second_table(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(pa_csv, "write_csv", fail_on_second_table)
    with pytest.raises(OSError, match="disk full"):
        write_long(demo_world(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format(tmp_path):
    with pytest.raises(OptionError, match=r"unknown format 'xlsx'; use one of: csv, parquet"):
        write_long(demo_world(), tmp_path / "w", "xlsx")
