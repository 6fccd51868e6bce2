"""Issue 11: gravity data errors name the CSV line a text editor shows (the header is line 1), as the io
readers do, also after a year is selected and the index reset; Stata and Parquet files keep "row"
(the pandas label); a CSV line with more or fewer fields than the header line is refused. The data is
a slice of Chapter2Application2: 3 countries, 9 pairs, 21 years, 189 rows (lines 2-190).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import DataValidationError
from tariffsim.gravity import add_gravity_columns, add_lags
from tariffsim.gravity.data_file import read_gravity_data
from tariffsim.gravity.economy import economy_from_data

COUNTRIES = ["CAN", "MEX", "USA"]


@pytest.fixture(scope="module")
def panel(yotov) -> pd.DataFrame:
    data = yotov("Chapter2Application2")
    keep = data["exporter"].isin(COUNTRIES) & data["importer"].isin(COUNTRIES)
    return data[keep].reset_index(drop=True)


def write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


def edit(path, number, change):
    """Rewrite line ``number`` (1-based) of ``path`` as ``change(fields)`` of its comma-separated fields."""
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = ",".join(change(lines[number - 1].rstrip("\n").split(","))) + "\n"
    path.write_text("".join(lines))
    return lines[number - 1].rstrip("\n")


def set_field(column, value):
    def change(fields):
        fields[column] = value
        return fields
    return change


YEAR, TRADE = 3, 4  # field positions of year and trade in Chapter2Application2


def test_a_fractional_year_in_a_csv_file_is_named_by_line(panel, tmp_path):
    path = write(panel, tmp_path / "panel.csv")
    edit(path, 5, set_field(YEAR, "1986.5"))
    with pytest.raises(DataValidationError, match=re.escape(
            "panel.csv line 5, column 'year': year 1986.5 is not a whole number; give years as integers")):
        add_gravity_columns(read_gravity_data(path))


def test_the_line_survives_a_quoted_field_spanning_lines_and_blank_lines(panel, tmp_path):
    path = write(panel, tmp_path / "panel.csv")
    edit(path, 2, set_field(0, '"CA\nN"'))  # line 2 now spans lines 2-3: data row 3 is on line 4, not 3
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:5], "\n", *lines[5:]]))  # a blank line 6 (pandas skips it)
    edit(path, 8, set_field(YEAR, "x"))  # data row 5 (label 4)
    with pytest.raises(DataValidationError, match=r"^panel\.csv line 8, column 'year': year 'x' is not a whole"):
        add_lags(read_gravity_data(path), "RTA", lags=(4,))


def test_a_fractional_year_in_a_stata_or_parquet_file_keeps_the_row_label(panel, tmp_path):
    broken = panel.copy()
    broken.loc[3, "year"] = 1986.5
    broken.to_parquet(tmp_path / "panel.parquet")
    broken.to_stata(tmp_path / "panel.dta", write_index=False)
    for name in ("panel.parquet", "panel.dta"):
        with pytest.raises(DataValidationError, match=re.escape(
                "row 3, column 'year': year 1986.5 is not a whole number")):
            add_gravity_columns(read_gravity_data(tmp_path / name))


def test_missing_trade_is_named_by_line_after_a_year_is_selected_and_the_index_reset(panel, tmp_path):
    path = write(panel, tmp_path / "panel.csv")
    number = int(panel.index[panel["year"] == 2006][4]) + 2  # MEX, MEX in 2006: label 184, line 186
    edit(path, number, set_field(TRADE, ""))
    data = read_gravity_data(path)
    rows = add_gravity_columns(data[data["year"] == 2006]).reset_index(drop=True)  # as the GE pipeline does
    with pytest.raises(DataValidationError, match=re.escape(
            f"panel.csv line {number}, column 'trade': trade is missing; give every pair a trade flow >= 0")):
        economy_from_data(rows, {"RTA": 0.5}, sigma=7.0)


def test_a_value_the_file_does_not_hold_is_named_by_row_not_a_wrong_line(panel, tmp_path):
    data = read_gravity_data(write(panel, tmp_path / "panel.csv"))
    rows = add_gravity_columns(data[data["year"] == 2006]).reset_index(drop=True)
    rows.loc[4, "trade"] = -1.0  # changed after reading: no line of the file has it
    with pytest.raises(DataValidationError, match=r"^row 4, column 'trade': trade -1\.0 is negative"):
        economy_from_data(rows, {"RTA": 0.5}, sigma=7.0)


@pytest.mark.parametrize(("number", "change", "fields", "fix"), [
    (2, lambda fields: [*fields, "1"], "11 fields, expected 10", "remove the extra field"),  # pandas: an index
    (20, lambda fields: [*fields, "1"], "11 fields, expected 10", "remove the extra field"),
    (20, lambda fields: fields[:-1], "9 fields, expected 10", "add the missing field"),  # pandas: RTA empty
])
def test_a_csv_line_with_more_or_fewer_fields_is_refused(panel, tmp_path, number, change, fields, fix):
    path = write(panel, tmp_path / "panel.csv")
    text = edit(path, number, change)
    with pytest.raises(DataValidationError, match=re.escape(
            f"panel.csv: cannot be read as a csv table: line {number} has {fields} as in the header line "
            f"(value: {text!r}); fix: {fix}")):
        read_gravity_data(path)


def test_the_command_line_names_the_line(panel, tmp_path):
    path = write(panel, tmp_path / "panel.csv")
    edit(path, 7, set_field(YEAR, "1986.5"))
    result = CliRunner().invoke(app, ["gravity", "estimate", "-d", str(path), "-f", "trade ~ RTA | exp_year"])
    assert result.exit_code == 1, result.output
    assert "panel.csv line 7, column 'year': year 1986.5 is not a whole number" in result.output


@pytest.mark.parametrize(("method", "formula", "message"), [
    ("ppml", "trade ~ RTA | exp_year", "panel.csv line 7, column 'trade': trade -3.0 is negative (1 such row); "
                                       "fix: PPML needs flows >= 0"),
    ("ppml", "exporter ~ RTA", "panel.csv line 2, column 'exporter': exporter 'CAN' is not a number (189 such rows)"),
    ("ols", "trade ~ NOT_A_COLUMN | exp_year", "formula 'trade ~ NOT_A_COLUMN | exp_year' cannot be used with "
                                                "this data: Unable to evaluate factor `NOT_A_COLUMN`"),
    ("ols", "trade ~ RTA +", "formula 'trade ~ RTA +' cannot be used with this data: Operator `+`"),
])
def test_an_outcome_or_formula_pyfixest_refuses_is_one_error_line(panel, tmp_path, method, formula, message):
    """Negative or non-numeric PPML outcomes and formulas naming absent columns or misplaced operators
    used to end in pyfixest's or formulaic's traceback."""
    path = write(panel, tmp_path / "panel.csv")
    edit(path, 7, set_field(TRADE, "-3.0"))
    result = CliRunner().invoke(app, ["gravity", "estimate", "-d", str(path), "-f", formula, "--method", method])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert message in " ".join(result.output.split()), result.output
