"""read_cp2015: the real data, and located errors on broken copies of it."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_world
from tariffsim.io.cp2015 import read_cp2015
from tariffsim.io.detect import read_io_world


@pytest.fixture(scope="module")
def folder(data_dir):
    return data_dir / "cp2015"


@pytest.mark.data
def test_reads_the_data_and_its_shares_add_up(folder):
    io_world = read_cp2015(folder)
    assert io_world.world.trade.shape == (31, 31, 40) and io_world.countries[-1] == "Row"
    np.testing.assert_allclose(io_world.value_added_shares + io_world.input_shares.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(io_world.final_shares.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(io_world.theta, pd.read_csv(folder / "theta.csv")["value"], rtol=1e-15)
    foreign = io_world.world.trade.copy()
    foreign[np.arange(31), np.arange(31), :] = 0
    assert foreign[:, :, 20:].sum() == 0  # services are not traded
    assert read_world(folder).trade.shape == (31, 31, 40)
    assert read_io_world(folder).world.trade.sum() == io_world.world.trade.sum()


def _broken(tmp_path, folder, name, edit):
    target = tmp_path / "cp"
    shutil.copytree(folder, target)
    path = target / name
    frame = pd.read_csv(path)
    edit(frame)
    frame.to_csv(path, index=False)
    return target


@pytest.mark.data
@pytest.mark.parametrize(("name", "edit", "message"), [
    ("value_added.csv", lambda f: f.loc.__setitem__((4, "value"), -5.0), r"value_added.csv line 6.*-5.0"),
    ("value_added.csv", lambda f: f.loc.__setitem__((4, "region"), "Atlantis"), r"region code 'Atlantis' is unknown"),
    ("final_consumption.csv", lambda f: f.drop(index=f.index[f.sector == "Auto"], inplace=True),
     r"final_consumption.csv has no row for cell .*sector Auto"),
    ("value_added.csv", lambda f: f.loc.__setitem__((7, "value"), f.loc[7, "value"] * 2),
     r"gross output of .* in the input-output table"),
    ("deficit.csv", lambda f: f.loc.__setitem__((2, "D"), 1.0), r"deficit differs .* at deficit.csv line 4"),
    ("trade.csv", lambda f: f.loc.__setitem__((3, "value"), -1.0), r"trade.csv line 5, column 'value'"),
    ("theta.csv", lambda f: f.loc.__setitem__((0, "value"), -2.0), r"theta.csv, sector Agriculture"),
])
def test_broken_data_give_located_errors(tmp_path, folder, name, edit, message):
    with pytest.raises(DataValidationError, match=message):
        read_cp2015(_broken(tmp_path, folder, name, edit))


@pytest.mark.data
def test_the_published_data_name_their_year_and_a_changed_copy_does_not(tmp_path, folder):
    """1993 (README: "31 regions x 40 sectors, 1993") for Caliendo and Parro's own trade.csv, under any folder
    name; a copy whose flows differ is a user's data set, whose year is not guessed."""
    assert read_world(folder).year == 1993 == read_cp2015(folder).world.year
    renamed = tmp_path / "my-copy"
    shutil.copytree(folder, renamed)
    assert read_cp2015(renamed).world.year == 1993
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    lines = (changed / "trade.csv").read_text().splitlines(keepends=True)
    (changed / "trade.csv").write_text("".join(lines[:-1]) + lines[-1].replace(",0,", ",0.0,", 1))  # same numbers
    assert read_cp2015(changed).world.year is None
