"""tariffsim.toml_schema: the shared checks of scenario, experiment and pack files, and the same
messages and suggestions from all three kinds of file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tariffsim.errors import ScenarioError
from tariffsim.gravity.experiment_file import load_experiment
from tariffsim.report import load_pack
from tariffsim.scenario import load_scenario
from tariffsim.toml_schema import Table, array_label, read_toml

SCENARIO = ('title = "t"\ndescription = "d"\n'
            '[[change]]\ndescription = "cars"\nimporters = ["USA"]\nexporters = ["JPN"]\nadd_points = 25\n')
EXPERIMENT = ('title = "t"\n[estimation]\nformula = "trade ~ RTA | exp_year + imp_year + pair"\n'
              '[[change]]\ndescription = "cars"\nvariable = "RTA"\nvalue = 0\namong = ["USA", "CAN"]\n')
PACK = 'title = "t"\nfocus = ["JPN", "USA"]\n[[scenario]]\nfile = "s.toml"\nlabel = "a"\n'


def write(folder: Path, kind: str, text: str) -> tuple[Path, object]:
    """The file of ``kind`` holding ``text``, and the function that loads it."""
    (folder / "s.toml").write_text(SCENARIO)
    if kind == "scenario":
        path = folder / "other.toml"
        path.write_text(text)
        return path, lambda: load_scenario(path)
    if kind == "experiment":
        path = folder / "experiment.toml"
        path.write_text(text)
        return path, lambda: load_experiment(path)
    path = folder / "pack.toml"
    path.write_text(text)
    return path, lambda: load_pack(folder)


def message(load) -> str:
    with pytest.raises(ScenarioError) as caught:
        load()
    return str(caught.value)


@pytest.mark.parametrize("kind, text", [("scenario", SCENARIO), ("experiment", EXPERIMENT), ("pack", PACK)])
def test_a_misspelt_top_level_key_gets_the_same_message_in_every_kind_of_file(tmp_path, kind, text):
    path, load = write(tmp_path, kind, text.replace("title =", "titel ="))
    assert re.fullmatch(re.escape(f"{path}: unknown key 'titel'. Did you mean 'title'? Valid keys here: ")
                        + r"title, .*\.", message(load))


@pytest.mark.parametrize("kind, text, key, typo, table", [
    ("scenario", SCENARIO, "importers", "importer", "[[change]] #1 ('cars')"),
    ("experiment", EXPERIMENT, "among", "amoung", "change 1 (cars)"),
    ("pack", PACK, "file", "fiel", "[[scenario]] #1"),
])
def test_a_misspelt_key_in_a_table_names_the_file_and_table_and_suggests_the_key(tmp_path, kind, text, key, typo,
                                                                                  table):
    path, load = write(tmp_path, kind, text.replace(f"\n{key} =", f"\n{typo} ="))
    assert re.fullmatch(re.escape(f"{path}, {table}: unknown key {typo!r}. Did you mean {key!r}")
                        + r"( or '\w+')*\? Valid keys here: .*\b" + key + r"\b.*\.", message(load))


@pytest.mark.parametrize("kind, text, value, where", [
    ("scenario", SCENARIO, '"JPN"', "[[change]] #1 ('cars'): exporters = ['?']"),
    ("experiment", EXPERIMENT, '"CAN"', "change 1 (cars): among = ['USA', '?']"),
    ("pack", PACK, '"t"', "top level: title = '?'"),
])
def test_placeholders_are_refused_in_every_kind_of_file(tmp_path, kind, text, value, where):
    path, load = write(tmp_path, kind, text.replace(value, '"?"', 1))
    assert message(load) == (f"{path}: 1 open placeholder(s) (\"TODO\" or \"?\"); replace each with a value "
                             f"before the {kind} can be used:\n  {where}")


@pytest.mark.parametrize("kind", ["scenario", "experiment", "pack"])
def test_a_wrong_type_is_named_with_its_value_and_fix_in_every_kind_of_file(tmp_path, kind):
    text = {"scenario": SCENARIO, "experiment": EXPERIMENT, "pack": PACK}[kind]
    path, load = write(tmp_path, kind, text.replace('title = "t"', "title = 3"))
    assert message(load) == f"{path}: title = 3: title must be text in quotes, e.g. title = \"...\""


def table(**data) -> Table:
    return Table(data, "f.toml, [t]")


@pytest.mark.parametrize("call, text", [
    (lambda t: t.text("a"), "f.toml, [t]: a is missing: add a = \"...\""),
    (lambda t: table(a=" ").text("a"), "f.toml, [t]: a = ' ': a must be text in quotes, e.g. a = \"...\""),
    (lambda t: table(a=1.5).text("a", ""), "f.toml, [t]: a = 1.5: a must be text in quotes, e.g. a = \"...\""),
    (lambda t: t.number("a", unit="percent, e.g. 10"), "f.toml, [t]: a is missing: add a = ..., a number "
                                                       "(percent, e.g. 10)"),
    (lambda t: table(a=True).number("a"), "f.toml, [t]: a = True: a must be a number"),
    (lambda t: table(a=float("inf")).number("a", 1.0), "f.toml, [t]: a = inf: a must be a number"),
    (lambda t: table(a=1).integer("a", minimum=2), "f.toml, [t]: a = 1: give a whole number of at least 2, e.g. a = 2"),
    (lambda t: table(a=2.0).integer("a"), "f.toml, [t]: a = 2.0: give a whole number, e.g. a = 1"),
    (lambda t: table(a=[]).integers("a"), "f.toml, [t]: a = []: give whole numbers, e.g. a = 2006 or [1986, 1990]"),
    (lambda t: table(a=[1, False]).integers("a"), "f.toml, [t]: a = [1, False]: give whole numbers, "
                                                  "e.g. a = 2006 or [1986, 1990]"),
    (lambda t: table(a=["USA", ""]).names("a"), "f.toml, [t]: a = ['USA', '']: give a name or a list of names, "
                                                "e.g. a = [\"USA\", \"CAN\"]"),
    (lambda t: table(a=[]).names("a", ()), "f.toml, [t]: a = []: the list is empty; name at least one, or delete "
                                           "the key"),
    (lambda t: table(a="yes").flag("a", False), "f.toml, [t]: a = 'yes': write a = true or a = false"),
    (lambda t: table(a="ful").choice("a", ("full", "conditional")),
     "f.toml, [t]: a = 'ful' is not one of 'full', 'conditional'. Did you mean 'full'?"),
    (lambda t: table(a=1).choice("a", ("full",), fix="write \"full\""), "f.toml, [t]: a = 1: write \"full\"."),
    (lambda t: t.table("ge", required=True), "f.toml, [t]: the [ge] table is missing: add a [ge] line, then its "
                                             "key = value lines"),
    (lambda t: table(ge=1).table("ge"), "f.toml, [t]: ge = 1: ge must be a table: write [ge] on its own line, "
                                        "then key = value lines"),
    (lambda t: table(change={"a": 1}).tables("change"), "f.toml, [t]: change must be a list of tables: start "
                                                        "each one with [[change]] (double brackets) on its own line"),
    (lambda t: table(x=1).only(("y", "z"), hint=" (see the README)"),
     "f.toml, [t]: unknown key 'x'. Valid keys here: y, z (see the README)."),
])
def test_every_message_names_the_place_the_key_the_value_and_the_fix(call, text):
    with pytest.raises(ScenarioError) as caught:
        call(table())
    assert str(caught.value) == text


def test_values_and_defaults():
    t = table(a=" x ", n=3, f=1.5, ys=2006, names="USA", flag=True, kind="full")
    assert (t.text("a"), t.text("missing", None), t.number("n"), t.number("f"), t.number("m", 2.0)) == (
        "x", None, 3.0, 1.5, 2.0)
    assert (t.integer("n", minimum=3), t.integers("ys"), t.names("names"), t.flag("flag"), t.flag("no", False)) == (
        3, (2006,), ("USA",), True, False)
    assert t.choice("kind", ("full",)) == "full" and t.choice("other", ("full",), "full") == "full"
    assert isinstance(t.number("n"), float) and "a" in t and t.get("missing") is None


def test_tables_are_named_for_messages():
    document = Table({"change": [{"description": "cars"}, {"description": "TODO"}, {}], "ge": {"kind": "full"}},
                     "f.toml")
    assert [t.where for t in document.tables("change")] == [
        "f.toml, [[change]] #1 ('cars')", "f.toml, [[change]] #2", "f.toml, [[change]] #3"]
    assert document.table("ge", ("kind",)).where == "f.toml, [ge]" and document.table("none").data == {}
    assert array_label("agreement", 2) == "[[agreement]] #2"
    with pytest.raises(ScenarioError, match=r"^f.toml: 1 open placeholder.*\n  \[\[change\]\] #2: description = "
                                            r"'TODO'$"):
        document.refuse_placeholders()
    with pytest.raises(ScenarioError, match=r"^f.toml: a scenario is a table of keys, not list$"):
        Table.document([], "f.toml", "scenario")


def test_read_toml_names_the_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"^pack file '.*nope.toml' not found$"):
        read_toml(tmp_path / "nope.toml", "pack")
    (tmp_path / "bad.toml").write_text("a = \n")
    with pytest.raises(ScenarioError, match=r"bad.toml: not a valid TOML file: .*Check quotes"):
        read_toml(tmp_path / "bad.toml", "scenario")
