"""Issue 11: reader errors name the file line a text editor shows (1-based, a header line is line 1),
say "line", and tell a header line where none belongs (or a missing one) and an unclosed quote apart
from other problems. Every test breaks a copy of a real data set: ossa2014 (the Ossa-style files),
the same world written as long-format tables (1,617 flows rows, so 1,618 lines), and cp2015.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_long_folder, read_ossa, write_long
from tariffsim.io.cp2015 import read_cp2015
from tariffsim.io.weights import read_weights


@pytest.fixture(scope="module")
def long_folder(data_dir, tmp_path_factory):
    """ossa2014 as long-format tables: flows.csv has a header line and 7 x 7 x 33 = 1,617 rows."""
    return write_long(read_ossa(data_dir / "ossa2014"), tmp_path_factory.mktemp("long") / "ossa2014")


def copy(source, tmp_path):
    return shutil.copytree(source, tmp_path / source.name)


def edit(path, change):
    """Rewrite ``path`` with ``change(lines)`` (lines keep their line ends; lines[0] is line 1)."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(change(lines)))


def replace_line(number, old, new):
    """A change replacing ``old`` by ``new`` once on line ``number`` (1-based)."""
    def change(lines):
        assert old in lines[number - 1], lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return lines
    return change


def raises(match, read, *args):
    with pytest.raises(DataValidationError, match=match) as caught:
        read(*args)
    return str(caught.value)


# ------------------------------------------------------------------------ unclosed quotes
def test_an_unclosed_quote_on_the_last_line_is_reported_at_that_line_not_the_record_before(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "flows.csv", replace_line(1618, '"omf"', '"omf'))
    raises(re.escape("flows.csv: a quote opened on line 1618, column 'sector' is never closed "
                     """(value: '"USA","USA","omf,77691.7,0'); fix: close the quote or remove it"""),
           read_long_folder, folder)


def test_an_unclosed_quote_mid_file_names_its_line_after_a_quoted_field_spanning_lines(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    # a user's own file: no quotes but one legal multi-line field (lines 2-3), then a stray quote on line 700
    edit(folder / "flows.csv", lambda lines: [line.replace('"', "") for line in lines])
    edit(folder / "flows.csv", replace_line(2, "BRA,BRA", '"BRA\n",BRA'))
    edit(folder / "flows.csv", replace_line(700, ",", ',"'))
    raises(r"flows\.csv: a quote opened on line 700, column 'importer' is never closed \(value: '[A-Z]+,\"[A-Z]+,"
           r".*'\); fix: close the quote or remove it", read_long_folder, folder)


def test_an_unclosed_quote_at_the_end_of_an_ossa_file_names_its_line_and_column(data_dir, tmp_path):
    folder = copy(data_dir / "ossa2014", tmp_path)
    edit(folder / "trade_ijs.csv", replace_line(100, ",", ',"'))
    raises(r"trade_ijs\.csv: a quote opened on line 100, column 2 is never closed \(value: '1\.242748,\"53078\.29,"
           r".*'\); fix: close the quote or remove it", read_ossa, folder)


def test_a_quote_that_a_later_line_closes_is_reported_in_an_ossa_file(data_dir, tmp_path):
    folder = copy(data_dir / "ossa2014", tmp_path)
    edit(folder / "labels.csv", replace_line(12, '"wol"', '"wol'))  # the quote before frs on line 13 closes it
    raises(re.escape("labels.csv: a quote opened on line 12, column 1 is closed only on line 13 "
                     """(value: 'wol\\nfrs"'); fix: close the quote or remove it"""), read_ossa, folder)


# ------------------------------------------------------------------------ lines, not records or rows
def test_too_many_fields_are_reported_at_the_file_line_after_a_field_spanning_lines(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "countries.csv", replace_line(2, '"Brazil"', '"Federative Republic\nof Brazil"'))
    edit(folder / "countries.csv", replace_line(6, '""', '"",extra'))  # "IND","India","" (line 5 before)
    raises(re.escape("""countries.csv: cannot be read as a csv table: line 6 has 4 fields, expected 3 as in the """
                     """header line (value: '"IND","India","",extra'); fix: remove the extra field, or quote a """
                     "value that holds a comma"), read_long_folder, folder)


def test_an_extra_field_on_the_first_data_line_is_refused_not_taken_as_an_index(long_folder, tmp_path):
    # pandas would make the exporters a row index and shift every column one to the left, silently
    folder = copy(long_folder, tmp_path)
    edit(folder / "flows.csv", replace_line(2, "10172.62,0", "10172.62,0,0"))
    raises(re.escape("""flows.csv: cannot be read as a csv table: line 2 has 6 fields, expected 5 as in the header """
                     """line (value: '"BRA","BRA","ric",10172.62,0,0'); fix: remove the extra field, or quote a value """
                     "that holds a comma"), read_long_folder, folder)


def test_an_extra_field_on_a_later_line_names_the_line_its_value_and_the_other_bad_lines(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "flows.csv", replace_line(700, '"IND","BRA","sug"', '"IND","BRA",sug,ar'))  # an unquoted comma
    edit(folder / "flows.csv", replace_line(1618, ",0", ",0,"))
    raises(re.escape("""flows.csv: cannot be read as a csv table: line 700 has 6 fields, expected 5 as in the """
                     """header line (value: '"IND","BRA",sug,ar,0.1321861,0.142408'); 1 more line with a number of """
                     "fields other than 5: 1618; fix: remove the extra field, or quote a value that holds a comma"),
           read_long_folder, folder)


@pytest.mark.parametrize(("name", "number", "old", "value", "fields"), [
    ("flows.csv", 700, ",0.142408", '"IND","BRA","sug",0.1321861', "4 fields, expected 5"),  # was: tariff is missing
    ("countries.csv", 3, ',""', '"CHN","China"', "2 fields, expected 3"),  # was read: aliases are optional
])
def test_a_missing_field_is_refused_by_line(long_folder, tmp_path, name, number, old, value, fields):
    folder = copy(long_folder, tmp_path)
    edit(folder / name, replace_line(number, old, ""))
    raises(re.escape(f"{name}: cannot be read as a csv table: line {number} has {fields} as in the header line "
                     f"(value: {value!r}); fix: add the missing field (an empty value still needs its comma)"),
           read_long_folder, folder)


def test_an_extra_field_on_every_line_is_refused_as_a_header_short_of_names(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "sectors.csv", lambda lines: [lines[0], *(line.replace("\n", ",\n") for line in lines[1:])])
    raises(re.escape("""sectors.csv: cannot be read as a csv table: every line below the header line has 4 fields, """
                     """expected 3 as in the header line (line 2: '"ric","Raw and processed rice",7.007203,'); fix: """
                     "name every column in the header line, or remove the extra field from every line below it"),
           read_long_folder, folder)


def test_a_validation_error_after_a_field_spanning_lines_names_the_file_line(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "countries.csv", replace_line(2, '"Brazil"', '"Federative Republic\nof Brazil"'))
    edit(folder / "countries.csv", replace_line(5, '"EU"', '"CHN"'))  # lines 4 and 5 are CHN, EU
    raises(re.escape("duplicate country code 'CHN' (also at countries.csv line 4, column 'code') at "
                     "countries.csv line 5, column 'code' (value: 'CHN')"), read_long_folder, folder)


def test_a_bad_value_in_flows_is_named_by_line(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "flows.csv", replace_line(1618, "77691.7", "-77691.7"))
    raises(r"trade flow is negative at flows\.csv line 1618, column 'value' \(value: -77691\.7\)",
           read_long_folder, folder)


def test_a_bad_value_in_an_ossa_matrix_is_named_by_line_and_column(data_dir, tmp_path):
    folder = copy(data_dir / "ossa2014", tmp_path)
    edit(folder / "trade_ijs.csv", replace_line(231, "77691.7", "lots"))
    raises(r"value is not a number at trade_ijs\.csv line 231, column 7 \(value: 'lots'\)", read_ossa, folder)


def test_a_duplicate_name_in_a_names_file_counts_blank_lines(data_dir, tmp_path):
    folder = copy(data_dir / "cp2015", tmp_path)
    edit(folder / "regions.txt", lambda lines: ["\n", *lines[:5], "\n", "Austria\n", *lines[5:]])
    raises(re.escape("duplicate name 'Austria' (also on line 4) at regions.txt line 8 (value: 'Austria')"),
           read_cp2015, folder)


# ------------------------------------------------------------------------ header lines
@pytest.mark.parametrize(("name", "header"), [
    ("trade_ijs.csv", "Brazil,China,EU,India,Japan,ROW,US"),
    ("tariff_ijs.csv", "Brazil,China,EU,India,Japan,ROW,US"),
    ("sigma_s.csv", "Main,Low_Sig,Med_Sig,High_Sig,Novar_Sig"),
])
def test_a_header_line_in_an_ossa_matrix_is_reported_as_such(data_dir, tmp_path, name, header):
    folder = copy(data_dir / "ossa2014", tmp_path)
    edit(folder / name, lambda lines: [header + "\n", *lines])
    message = raises(re.escape(f"{name}: line 1 looks like a header (value: {header!r}); fix: {name} has no "
                               "header line; delete line 1"), read_ossa, folder)
    assert "rows, expected" not in message


def test_a_header_line_in_labels_csv_is_reported_as_such(data_dir, tmp_path):
    folder = copy(data_dir / "ossa2014", tmp_path)
    edit(folder / "labels.csv", lambda lines: ['"code"\n', *lines])
    message = raises(re.escape("labels.csv: line 1 looks like a header (value: 'code'); fix: labels.csv has no "
                               "header line; delete line 1"), read_ossa, folder)
    assert "1 problem(s)" in message


@pytest.mark.parametrize(("name", "first", "header"), [
    ("regions.csv", "1,Brazil", "No.,String"),
    ("sectors.csv", "1,ric,Raw and processed rice", "No.,String,String"),
])
def test_a_missing_header_line_in_an_ossa_name_file_is_reported(data_dir, tmp_path, name, first, header):
    folder = copy(data_dir / "ossa2014", tmp_path)
    (folder / "labels.csv").unlink()  # so that the sector codes come from sectors.csv
    edit(folder / name, lambda lines: lines[1:])
    raises(re.escape(f"{name}: line 1 looks like data, not a header (value: {first!r}); fix: {name} starts with "
                     f"a header line; insert one above line 1, e.g. {header!r}"), read_ossa, folder)


def test_a_missing_header_line_in_a_long_table_is_reported(long_folder, tmp_path):
    folder = copy(long_folder, tmp_path)
    edit(folder / "flows.csv", lambda lines: lines[1:])
    raises(re.escape("flows.csv: line 1 looks like data, not a header (value: 'BRA,BRA,ric,10172.62,0'); fix: "
                     "flows.csv starts with a header line; insert one above line 1, e.g. "
                     "'exporter,importer,sector,value,tariff'"), read_long_folder, folder)


def test_a_missing_header_line_in_a_wide_weights_table_is_reported(data_dir, tmp_path):
    world = read_ossa(data_dir / "ossa2014")
    path = tmp_path / "weights.csv"
    path.write_text("".join(f"{code},{','.join(['1'] * world.n_sectors)}\n" for code in world.countries))
    raises(r"weights\.csv: line 1 looks like data, not a header \(value: 'BRA,1,1,.*'\); fix: weights\.csv starts "
           r"with a header line; insert one above line 1, e.g. 'country,ric,wht,", read_weights, path, world)
