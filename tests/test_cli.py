"""The tariffsim command, through typer's CliRunner: exit codes, tables, files, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tariffsim.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env)


def test_help_lists_commands_and_each_command_has_an_example():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("solve", "info", "purge"):
        assert command in result.output
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.output and f"tariffsim {command}" in sub.output


def test_solve_on_demo_world_prints_table_and_writes_files(tmp_path):
    result = run("solve", "--data", "demo", "--scenario", str(EXAMPLES / "us_autos_japan.toml"),
                 "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "csv"),
                 "--parquet", str(tmp_path / "pq"), "--country", "JPN")
    assert result.exit_code == 0, result.output
    assert "US tariff on Japanese cars" in result.output and "JPN by sector" in result.output
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["schema"] == "tariffsim.equilibrium" and document["model"] == "krugman"
    assert document["solver"]["max_residual"] <= 1e-10
    rows = pd.DataFrame(document["results"])
    welfare = rows[(rows.level == "country") & (rows.variable == "welfare")].set_index("country").value
    csv = pd.read_csv(tmp_path / "csv" / "country.csv")
    parquet = pd.read_parquet(tmp_path / "pq" / "country.parquet")
    for table in (csv, parquet):
        from_file = table[table.variable == "welfare"].set_index("country").value
        pd.testing.assert_series_equal(from_file.sort_index(), welfare.sort_index(), check_names=False)
    assert {p.name for p in (tmp_path / "csv").iterdir()} == {"country.csv", "country_sector.csv", "bilateral.csv",
                                                             "assumptions.json"}


def test_solve_json_to_stdout_is_machine_readable():
    result = run("solve", "-d", "demo", "-s", str(EXAMPLES / "china_us_20.toml"), "--json", "-", "--model", "armington")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["model"] == "armington"


def test_errors_are_one_message_and_exit_1(tmp_path):
    result = run("solve", "-d", "demo", "-s", str(EXAMPLES / "us_autos_japan.toml"), "--model", "armingtn")
    assert result.exit_code == 1
    assert "error: unknown model 'armingtn'. Did you mean 'armington'?" in result.output
    assert "Traceback" not in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\ndescription = "y"\n[[change]]\ndescription = "z"\nimporters = ["Japn"]\nexporters = "all"\nadd_points = 5\n')
    result = run("solve", "-d", "demo", "-s", str(bad))
    assert result.exit_code == 1 and "[[change]] #1" in result.output
    assert "'Japn'" in result.output and "Did you mean 'Japan' or 'JPN'" in result.output


def test_missing_data_set_says_what_to_do(monkeypatch):
    monkeypatch.delenv("TARIFFSIM_DATA", raising=False)
    result = run("info", "--data", "no_such_data")
    assert result.exit_code == 1
    assert "TARIFFSIM_DATA" in result.output and "--data demo" in result.output


def test_debug_shows_the_traceback(monkeypatch):
    """As a user sees it (a real process): one line without --debug, the full traceback with it."""
    monkeypatch.delenv("TARIFFSIM_DATA", raising=False)

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tariffsim", *args],
                              capture_output=True, text=True, timeout=120)

    message = "data set 'no_such_data' not found"
    plain = command("info", "--data", "no_such_data")
    assert plain.returncode == 1 and plain.stdout == ""
    lines = plain.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), plain.stderr
    assert "Traceback" not in plain.stderr and "DataValidationError" not in plain.stderr
    debug = command("--debug", "info", "--data", "no_such_data")
    assert debug.returncode == 1 and debug.stdout == ""
    assert "Traceback (most recent call last):" in debug.stderr, debug.stderr
    assert re.search(r'File ".*tariffsim.*\.py", line \d+, in ', debug.stderr)  # tariffsim's frames
    assert debug.stderr.rstrip().splitlines()[-1].startswith(f"tariffsim.errors.DataValidationError: {message}")
    assert "error: " not in debug.stderr  # the exception itself, not the one-line message


def test_info_and_purge_on_real_data(data_dir, tmp_path):
    env = {"TARIFFSIM_DATA": str(data_dir)}
    result = run("info", "--data", "ossa2014", env=env)
    assert result.exit_code == 0, result.output
    assert "JPN" in result.output and "agriculture" in result.output
    result = run("purge", "--data", "ossa2014", "--out", str(tmp_path / "purged"), env=env)
    assert result.exit_code == 0, result.output
    from tariffsim.io import read_world

    purged = read_world(tmp_path / "purged")
    assert abs(purged.net_exports).max() < 1e-6 * purged.expenditure.sum()


def test_solve_uses_scenario_world_and_purge(data_dir):
    result = run("solve", "-s", str(EXAMPLES / "us_autos_japan.toml"), "--purge", env={"TARIFFSIM_DATA": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert "ossa2014" in result.output and "purged" in result.output


def test_tables_never_cut_numbers_or_labels_and_a_wide_summary_row_is_transposed(capsys):
    from tariffsim.cli._common import print_frame

    columns = [f"{kind}_{base}" for kind in ("G", "W", "relwage", "profits") for base in ("nash", "factual", "free")]
    row = pd.DataFrame([[-12345.678] + [-0.2567] * 11], columns=columns, index=pd.Index(["average"], name="region"))
    print_frame(row, "wide")
    printed = capsys.readouterr().out
    assert max(len(line) for line in printed.splitlines()) <= 80 and "…" not in printed
    assert all(f"│ {name}" in printed for name in columns) and "-12,346" in printed and printed.count("-0.26") == 11
    print_frame(pd.concat([row] * 20), "tall")  # more rows than columns: kept as is, wider than 80, nothing cut
    printed = capsys.readouterr().out
    assert "…" not in printed and "relwage_factual" in printed and printed.count("-0.26") == 220
