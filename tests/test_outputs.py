"""tariffsim.outputs: targets are checked before any work; all outputs appear together or none do."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tariffsim import interrupt
from tariffsim.cli import app
from tariffsim.errors import OptionError
from tariffsim.outputs import Outputs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


@pytest.fixture
def sigint_handler():
    """``interrupt.install()`` for one test, then the test runner's handler and a clean state again."""
    previous_handler, previous_hook = signal.getsignal(signal.SIGINT), __import__("sys").unraisablehook
    interrupt.install()
    yield
    signal.signal(signal.SIGINT, previous_handler)
    __import__("sys").unraisablehook = previous_hook
    interrupt._state.update(installed=False, interrupted=False, deferring=False)


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _text(content: str):
    return lambda path: path.write_text(content)


def _tables(**files: str):
    def write(folder: Path) -> None:
        for name, content in files.items():
            (folder / name).write_text(content)
    return write


def test_all_outputs_appear_together(tmp_path):
    outputs = Outputs()
    json_path = outputs.file(tmp_path / "deep" / "r.json", "--json")
    csv_dir = outputs.folder(tmp_path / "csv", "--csv")
    written = outputs.write({json_path: _text("{}"), csv_dir: _tables(**{"country.csv": "a\n"})})
    assert written == [json_path, csv_dir]
    assert _listing(tmp_path) == ["csv", "csv/country.csv", "deep", "deep/r.json"]


def test_a_failing_second_output_leaves_neither_and_keeps_the_old_file(tmp_path):
    old = tmp_path / "r.json"
    old.write_text("old results")
    outputs = Outputs()
    outputs.file(old, "--json")
    outputs.folder(tmp_path / "csv", "--csv")

    def broken(folder: Path) -> None:
        (folder / "country.csv").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OptionError, match=rf"^--csv {tmp_path / 'csv'}: could not write it \(disk full\); nothing"):
        outputs.write({old: _text("new"), tmp_path / "csv": broken})
    assert old.read_text() == "old results" and _listing(tmp_path) == ["r.json"]


def test_a_failed_rename_undoes_the_renames_already_done(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a")
    outputs = Outputs()
    outputs.file(first, "--json")
    outputs.file(second, "--out")
    real_replace, calls = os.replace, []

    def replace(source, target):
        calls.append(Path(target))
        if Path(target) == second:
            raise PermissionError("read-only file system")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OptionError, match=rf"^--out {second}: could not write it \(read-only file system\)"):
        outputs.write({first: _text("new a"), second: _text("new b")})
    monkeypatch.undo()
    assert first in calls and first.read_text() == "old a" and _listing(tmp_path) == ["a.json"]


def test_a_ctrl_c_while_writing_leaves_nothing(tmp_path, sigint_handler):
    outputs = Outputs()
    target = outputs.file(tmp_path / "r.json", "--json")

    def interrupted_write(path: Path) -> None:
        path.write_text("half")
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        outputs.write({target: interrupted_write})
    assert _listing(tmp_path) == [] and interrupt.interrupted()


def test_a_ctrl_c_during_the_renames_is_held_back_and_undoes_them(tmp_path, sigint_handler, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "csv"
    first.write_text("old a")
    outputs = Outputs()
    outputs.file(first, "--json")
    outputs.folder(second, "--csv")
    real_replace = os.replace

    def replace(source, target):
        real_replace(source, target)
        if Path(target) == first:
            os.kill(os.getpid(), signal.SIGINT)  # arrives between the two renames: must not split them

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        outputs.write({first: _text("new a"), second: _tables(**{"x.csv": "1"})})
    monkeypatch.undo()
    assert first.read_text() == "old a" and _listing(tmp_path) == ["a.json"]


def test_an_interrupt_that_a_callback_swallowed_still_stops_the_write(tmp_path, sigint_handler):
    interrupt._state["interrupted"] = True  # as after "Exception ignored in ... KeyboardInterrupt"
    outputs = Outputs()
    target = outputs.file(tmp_path / "r.json", "--json")
    with pytest.raises(KeyboardInterrupt):
        outputs.write({target: _text("{}")})
    assert _listing(tmp_path) == []


def test_after_the_outputs_are_in_place_ctrl_c_is_ignored(tmp_path, sigint_handler):
    outputs = Outputs()
    target = outputs.file(tmp_path / "r.json", "--json")
    outputs.write({target: _text("{}")})
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN and target.exists()


@pytest.mark.parametrize(("declare", "message"), [
    (lambda o, p: o.file(p / "made_folder", "--json"), "that is a folder; give a file name"),
    (lambda o, p: o.file(p / "a_file" / "r.json", "--json"), "is a file, not a folder"),
    (lambda o, p: o.folder(p / "a_file", "--csv"), "that is a file, not a folder"),
    (lambda o, p: o.folder(p / "full", "--csv"), "the folder is not empty"),
])
def test_bad_targets_are_refused_when_declared(tmp_path, declare, message):
    (tmp_path / "made_folder").mkdir()
    (tmp_path / "a_file").write_text("user's file")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "country.csv").write_text("user's table")
    with pytest.raises(OptionError, match=message):
        declare(Outputs(), tmp_path)
    assert (tmp_path / "full" / "country.csv").read_text() == "user's table"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OptionError, match="no permission to write"):
            Outputs().file(locked / "r.json", "--json")
    finally:
        locked.chmod(0o700)


def test_overlapping_targets_are_refused(tmp_path):
    outputs = Outputs()
    outputs.folder(tmp_path / "out", "--csv")
    with pytest.raises(OptionError, match="overlap"):
        outputs.file(tmp_path / "out" / "r.json", "--json")


def test_an_earlier_report_folder_is_replaced_whole(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "old.png").write_text("old")
    outputs = Outputs()
    figures = outputs.folder(tmp_path / "figures", "--out", replace=True)
    outputs.write({figures: _tables(**{"new.png": "new"})})
    assert _listing(tmp_path) == ["figures", "figures/new.png"]


# ---------------------------------------------------------------- through the commands, before any work
def _solve(*args: str):
    return runner.invoke(app, ["solve", "--data", "demo", "--scenario", str(EXAMPLES / "us_autos_japan.toml"),
                               *args])


@pytest.mark.parametrize(("option", "make", "message"), [
    ("--json", lambda p: p.mkdir(), "that is a folder"),
    ("--csv", lambda p: p.write_text("x"), "that is a file, not a folder"),
    ("--csv", lambda p: (p.mkdir(), (p / "country.csv").write_text("mine")), "the folder is not empty"),
    ("--parquet", lambda p: p.write_text("x"), "that is a file, not a folder"),
])
def test_solve_refuses_a_bad_target_before_solving(tmp_path, option, make, message):
    target = tmp_path / "target"
    make(target)
    result = _solve(option, str(target))
    assert result.exit_code == 1 and message in result.output and str(target) in result.output
    assert "Equilibrium verified" not in result.output  # refused before the solve, not after


def test_solve_json_and_csv_to_a_bad_folder_writes_no_json(tmp_path):
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "country.csv").write_text("the user's own table")
    result = _solve("--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "csv"))
    assert result.exit_code == 1 and not (tmp_path / "r.json").exists()
    assert (tmp_path / "csv" / "country.csv").read_text() == "the user's own table"


def test_solve_json_to_stdout_and_csv_writes_the_tables(tmp_path):
    result = _solve("--json", "-", "--csv", str(tmp_path / "csv"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["assumptions.json", "bilateral.csv", "country.csv",
                                                                   "country_sector.csv"]


def test_from_news_refuses_an_impossible_draft_target_before_reading(tmp_path, seed_dir):
    (tmp_path / "a_file").write_text("x")
    article = sorted(seed_dir.glob("*.txt"))[0]
    result = runner.invoke(app, ["from-news", str(article), "--out", str(tmp_path / "a_file" / "draft.toml")])
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    assert "Found in" not in result.output


@pytest.mark.parametrize("command", [
    ["optimal", "--data", "demo", "--country", "JPN"],
    ["nash", "--data", "demo", "--countries", "USA,JPN"],
    ["talks", "--data", "demo", "--countries", "USA,JPN"],
])
def test_games_refuse_a_json_folder_before_playing(tmp_path, command):
    result = runner.invoke(app, [*command, "--json", str(tmp_path), "--no-cache"])
    assert result.exit_code == 1 and "that is a folder" in result.output and str(tmp_path) in result.output


# ------------------------------------------- places that permission bits cannot judge (everyone may be root)
PROC = Path("/proc")
needs_proc = pytest.mark.skipif(not PROC.is_dir(), reason="needs Linux /proc, where no file can be created")
LONG = "n" * 300
ARTICLE = Path(__file__).resolve().parent / "news_articles" / "us_china_steel.txt"


@needs_proc
@pytest.mark.parametrize(("declare", "what"), [
    (lambda o: o.file(PROC / "o.json", "--json"), "takes no new files"),
    (lambda o: o.folder(PROC / "c", "--csv"), "takes no new folders"),
    (lambda o: o.file(PROC / "new" / "o.json", "--json"), "takes no new folders"),  # its parent must be made
])
def test_a_place_that_takes_no_files_is_refused_when_declared(declare, what):
    with pytest.raises(OptionError, match=f"{what}.*choose another place"):
        declare(Outputs())


@pytest.mark.parametrize(("declare", "limit"), [
    (lambda o, p: o.file(p / f"{LONG}.json", "--json"), "at most 223 bytes"),
    (lambda o, p: o.folder(p / LONG, "--csv"), "at most 223 bytes"),
    (lambda o, p: o.file(p / LONG / "r.json", "--json"), "at most 255 bytes"),  # a folder to make: no temporary
    (lambda o, p: o.file(p / "/".join(["d" * 200] * 21) / "r.json", "--json"), "choose a shorter path"),
])
def test_a_name_or_path_the_file_system_cannot_hold_is_refused_when_declared(tmp_path, declare, limit):
    if os.pathconf(tmp_path, "PC_NAME_MAX") != 255:
        pytest.skip("the limits below are those of a file system with 255-byte names")
    with pytest.raises(OptionError, match=limit):
        declare(Outputs(), tmp_path)
    assert _listing(tmp_path) == []


def test_a_write_that_fails_names_the_users_path_and_removes_the_folders_it_made(tmp_path):
    outputs = Outputs()
    target = outputs.file(tmp_path / "new" / "deeper" / "r.json", "--json")

    def vanished(path: Path) -> None:
        raise FileNotFoundError(2, "No such file or directory", str(path))  # as /proc says, naming the .tmp

    with pytest.raises(OptionError) as caught:
        outputs.write({target: vanished})
    assert str(caught.value) == (f"--json {target}: could not write it (No such file or directory); nothing was "
                                 "written: choose another place, or free some space")
    assert _listing(tmp_path) == []  # neither the file nor the folders made for it


def test_missing_parent_folders_are_made(tmp_path):
    outputs = Outputs()
    target = outputs.folder(tmp_path / "runs" / "2025" / "csv", "--csv")
    outputs.write({target: _tables(**{"country.csv": "a\n"})})
    assert (tmp_path / "runs" / "2025" / "csv" / "country.csv").read_text() == "a\n"


@needs_proc
@pytest.mark.parametrize("target", [["--json", "/proc/o.json"], ["--csv", "/proc/c"], ["--parquet", "/proc/p"],
                                    ["--json", f"{LONG}.json"], ["--csv", LONG]])
def test_solve_refuses_a_place_that_takes_no_files_before_solving(target):
    result = _solve(*target)
    assert result.exit_code == 1 and result.output.startswith(f"error: {target[0]} {target[1][:40]}")
    assert ".tmp" not in result.output and "Equilibrium verified" not in result.output
    assert not os.path.exists(target[1])


@needs_proc
def test_from_news_refuses_a_place_that_takes_no_files_before_reading():
    result = runner.invoke(app, ["from-news", str(ARTICLE), "--json", "/proc/x.json"])
    assert result.exit_code == 1 and result.output.startswith("error: --json /proc/x.json: /proc takes no new files")
    assert "Found in" not in result.output


def test_from_news_keeps_an_existing_draft_unless_forced(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("# my edited draft\n")
    refused = runner.invoke(app, ["from-news", str(ARTICLE), "--out", str(mine)])
    assert refused.exit_code == 1 and "the file exists and may hold your edits" in refused.output
    assert "--force" in refused.output and "Found in" not in refused.output
    assert mine.read_text() == "# my edited draft\n"
    forced = runner.invoke(app, ["from-news", str(ARTICLE), "--out", str(mine), "--force"])
    assert forced.exit_code == 0, forced.output
    assert mine.read_text() != "# my edited draft\n" and "[[change]]" in mine.read_text()


def test_from_news_into_a_folder_suggests_a_toml_name(tmp_path):
    result = runner.invoke(app, ["from-news", str(ARTICLE), "--out", str(tmp_path)])
    assert result.exit_code == 1 and f"e.g. {tmp_path / 'draft.toml'}" in result.output
