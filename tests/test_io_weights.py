"""Political-economy weights files: wide and long layouts, and located errors."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io.weights import read_weights
from tariffsim.synthetic import random_world

WORLD = random_world(3, 2, seed=21)  # countries C000..C002, sectors s00, s01


def test_wide_and_long_files_give_the_same_weights_in_the_world_order(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("country,S01,s00\nC002,6,5\nC000,2,1\nC001,4,3\n")
    long = tmp_path / "long.csv"
    long.write_text("country,sector,weight\n" + "".join(
        f"{c},{s},{w}\n" for (c, s), w in {("C001", "s01"): 4, ("C000", "s00"): 1, ("C002", "s00"): 5,
                                          ("C000", "s01"): 2, ("C002", "s01"): 6, ("C001", "s00"): 3}.items()))
    expected = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(read_weights(wide, WORLD), expected)
    np.testing.assert_array_equal(read_weights(long, WORLD), expected)


@pytest.mark.parametrize("text, message", [
    ("country,s00,s01\nC000,1,1\nC001,1,x\nC002,1,1\n", r"s01 is not a number at w.csv line 3, column 's01' \(value: 'x'\)"),
    ("country,s00,s01\nC000,1,1\nC001,1,-2\nC002,1,1\n", r"must be finite and >= 0 at w.csv line 3, column 's01' \(value: -2.0\)"),
    ("country,s00,s0l\nC000,1,1\nC001,1,1\nC002,1,1\n", r"column 's0l' is not a sector of the world at w.csv header"),
    ("country,s00,s01\nC000,1,1\nC0001,1,1\nC002,1,1\n", r"code 'C0001' is unknown .*Did you mean 'C001' or 'C000'"),
    ("country,s00,s01\nC000,1,1\nC002,1,1\n", r"no weight for C001, s00"),
    ("country,s00,s01\nC000,1,1\nC001,0,0\nC002,1,1\n", r"all weights of C001 are zero"),
    ("country,s00,s01\nC000,1,1\nC001,1,1\nC002,1,1\nC000,2,2\n",
     r"weight of C000, s00 given twice \(also at w.csv line 2, column 's00'\) at w.csv line 5, column 's00'"),
    ("country,sector,weight\nC000,s00,1\nC000,s02,1\n", r"sector code 's02' is unknown .* at w.csv line 3, column 'sector'"),
])
def test_problems_name_file_row_column_and_value(tmp_path, text, message):
    path = tmp_path / "w.csv"
    path.write_text(text)
    with pytest.raises(DataValidationError, match=message):
        read_weights(path, WORLD)
