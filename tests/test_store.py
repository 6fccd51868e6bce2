"""The runs store: a round trip, two processes saving at once, Ctrl-C and a crash during a save, and the
``tariffsim runs`` commands (list, show, compare, export, bad ids and files)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import OptionError
from tariffsim.store import COLUMNS, Run, Store, compare, run_from_document

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()

# A child process that saves runs of ``rows`` synthetic results rows into the database argv[1]; it
# prints "saving TIME" (flushed) just before each save, so the parent knows a save is under way, and
# "saved TIME ID" after it.
SAVER = textwrap.dedent("""
    import sys, time
    import numpy as np, pandas as pd
    from tariffsim import interrupt
    from tariffsim.store import Run, Store

    path, title, rows, count, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    interrupt.install()
    results = pd.DataFrame({"level": "bilateral", "country": np.repeat([f"C{k:03d}" for k in range(rows // 100)], 100),
                            "partner": "P", "sector": "", "variable": "exports",
                            "value": np.arange(rows, dtype=float), "unit": "pct"})
    store = Store(path)
    time.sleep(max(0.0, start - time.time()))
    for k in range(count):
        print("saving", time.time(), flush=True)
        run_id = store.save(Run({"command": "solve", "title": f"{title} {k}"}, results))
        print("saved", time.time(), run_id, flush=True)
""")


def saver(path: Path, title: str, rows: int, count: int = 1, start: float = 0.0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SAVER, str(path), title, str(rows), str(count), str(start)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def results_frame(rows: int = 6) -> pd.DataFrame:
    values = np.linspace(-1.0, 1.0, rows)
    values[1] = np.nan  # a change from a zero baseline
    return pd.DataFrame({"level": "country", "country": [f"C{k}" for k in range(rows)], "partner": "", "sector": "",
                         "variable": "welfare", "value": values, "unit": "pct"})


@pytest.fixture(scope="module")
def demo_document() -> dict:
    """The JSON document of the seed scenario on the demo world (what ``solve --json`` writes)."""
    from tariffsim.models import Krugman
    from tariffsim.results import to_json_dict
    from tariffsim.scenario import load_scenario
    from tariffsim.synthetic import demo_world

    world = demo_world()
    model = Krugman()
    plan = load_scenario(EXAMPLES / "us_autos_japan.toml")
    return to_json_dict(model.solve(model.calibrate(world), plan.apply(world)), {"title": plan.title})


def test_round_trip_keeps_facts_results_and_undefined_values(tmp_path, demo_document):
    run = run_from_document("solve", demo_document, title="seed", scenario_file=EXAMPLES / "us_autos_japan.toml")
    with Store(tmp_path / "runs.sqlite") as store:
        run_id = store.save(run)
        back = store.get(run_id)
        assert store.check() == []
    assert back.meta["command"] == "solve" and back.meta["title"] == "seed" and back.meta["model"] == "krugman"
    assert back.meta["solver"]["max_residual"] == demo_document["solver"]["max_residual"]
    assert back.meta["deficits"] == demo_document["assumptions"]["deficits"]
    assert back.meta["version"] and back.meta["scenario_text"].startswith(
        (EXAMPLES / "us_autos_japan.toml").read_text()[:40])
    expected = pd.DataFrame(demo_document["results"], columns=list(COLUMNS))
    pd.testing.assert_frame_equal(back.results, expected.astype({"value": float}), check_dtype=False)
    assert back.results["value"].isna().sum() == expected["value"].isna().sum()


def test_concurrent_saves_from_two_processes_both_succeed(tmp_path):
    path = tmp_path / "runs.sqlite"
    Store(path).close()
    start = time.time() + 3.0  # both children start saving at this moment, after their imports
    children = [saver(path, name, rows=100_000, count=3, start=start) for name in ("first", "second")]
    outputs = [child.communicate(timeout=240) for child in children]
    spans = []
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert out.count("saved") == 3
        times = [float(line.split()[1]) for line in out.splitlines()]
        spans.append((min(times), max(times)))
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], f"the saves did not overlap: {spans}"
    with Store(path) as store:
        listed = store.list()
        assert sorted(listed["title"]) == [f"{n} {k}" for n in ("first", "second") for k in range(3)]
        assert (listed["rows"] == 100_000).all()
        assert store.check() == []
        assert store.get(int(listed.index[-1])).results["value"].iloc[-1] == 99_999.0


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "crash"])
def test_interrupted_save_leaves_a_consistent_database_without_the_half_run(tmp_path, how):
    path = tmp_path / "runs.sqlite"
    with Store(path) as store:
        kept = store.save(Run({"command": "solve", "title": "kept"}, results_frame()))
    child = saver(path, "half", rows=2_000_000)
    assert child.stdout.readline().startswith("saving")
    wal = path.with_name(path.name + "-wal")
    deadline = time.time() + 60
    while not (wal.exists() and wal.stat().st_size > 4_000_000) and child.poll() is None and time.time() < deadline:
        time.sleep(0.01)  # until the uncommitted transaction has written megabytes of results pages
    os.kill(child.pid, how)
    out, err = child.communicate(timeout=60)
    assert "saved" not in out, "the save finished before the signal: make the run bigger"
    assert child.returncode != 0
    if how == signal.SIGINT:
        assert "KeyboardInterrupt" in err
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    with Store(path) as store:
        assert list(store.list()["title"]) == ["kept"]
        assert store.check() == []
        assert store.get(kept).results.shape == (6, len(COLUMNS))
        assert store.connection.execute("SELECT count(*) FROM results").fetchone()[0] == 6


def test_compare_is_second_minus_first_and_names_a_missing_variable(tmp_path):
    with Store(tmp_path / "runs.sqlite") as store:
        a = store.get(store.save(Run({"command": "solve", "title": "a"}, results_frame())))
        frame = results_frame().assign(value=lambda f: f["value"] * 3)
        b = store.get(store.save(Run({"command": "solve", "title": "b"}, frame)))
    table = compare(a, b)
    assert table.loc["C0", f"run {b.id} - run {a.id}"] == pytest.approx(-2.0)
    with pytest.raises(OptionError, match="'exports'.*use one of welfare"):
        compare(a, b, "exports")
    with pytest.raises(OptionError, match="compared with itself"):
        compare(a, a)


def run_cli(*args: str, db: Path):
    return runner.invoke(app, [*args], env={"TARIFFSIM_RUNS": str(db), "COLUMNS": "200"})


def test_cli_solve_save_then_list_show_compare_export(tmp_path):
    db = tmp_path / "runs.sqlite"
    scenario = str(EXAMPLES / "us_autos_japan.toml")
    for _ in range(2):
        result = run_cli("solve", "--data", "demo", "--scenario", scenario, "--save", db=db)
        assert result.exit_code == 0, result.output
    assert "saved run 2" in result.output
    listed = run_cli("runs", "list", db=db)
    assert listed.exit_code == 0 and "US tariff on Japanese cars" in listed.output and "solve" in listed.output
    shown = run_cli("runs", "show", "1", db=db)
    assert shown.exit_code == 0, shown.output
    assert "krugman" in shown.output and "welfare" in shown.output and "JPN" in shown.output
    compared = run_cli("runs", "compare", "1", "2", "--variable", "exports", db=db)
    assert compared.exit_code == 0 and "run 2 - run 1" in compared.output
    export = run_cli("runs", "export", "2", "--csv", str(tmp_path / "r.csv"), "--json", str(tmp_path / "r.json"), db=db)
    assert export.exit_code == 0, export.output
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["id"] == 2 and document["model"] == "krugman" and document["year"] is None
    table = pd.read_csv(tmp_path / "r.csv", keep_default_na=False, na_values=[""])
    assert list(table.columns) == list(COLUMNS) and len(table) == document["n_results"] == len(document["results"])


def test_cli_bad_id_missing_database_and_not_a_database_are_one_line_errors(tmp_path):
    db = tmp_path / "runs.sqlite"
    missing = run_cli("runs", "list", db=db)
    assert missing.exit_code == 1 and "no runs database at" in missing.output and "--save" in missing.output
    with Store(db) as store:
        store.save(Run({"command": "solve", "title": "a"}, results_frame()))
    for bad, message in (("7", "no run 7 in"), ("seven", "ids are whole numbers")):
        result = run_cli("runs", "show", bad, db=db)
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database, just text " * 100)
    result = run_cli("runs", "list", "--runs-db", str(junk), db=db)
    assert result.exit_code == 1 and "not a tariffsim runs database" in result.output and str(junk) in result.output
    result = run_cli("runs", "export", "1", db=db)
    assert result.exit_code == 1 and "--csv FILE and/or --json FILE" in result.output


def test_a_database_locked_past_the_timeout_is_a_clear_error_and_keeps_nothing(tmp_path):
    path = tmp_path / "runs.sqlite"
    with Store(path) as store:
        store.connection.execute("PRAGMA busy_timeout = 200")  # instead of BUSY_SECONDS
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process's save in progress, never finishing
        with pytest.raises(OptionError, match="database is locked.*nothing of it was kept"):
            store.save(Run({"command": "solve", "title": "late"}, results_frame()))
        other.execute("ROLLBACK")
        other.close()
        assert store.list().empty and store.check() == []
        assert store.save(Run({"command": "solve", "title": "later"}, results_frame())) == 1


@pytest.mark.data
def test_ctrl_c_on_solve_save_exits_130_and_saves_nothing(tmp_path, data_dir):
    db = tmp_path / "runs.sqlite"
    env = {**os.environ, "TARIFFSIM_DATA": str(data_dir), "TARIFFSIM_RUNS": str(db)}
    process = subprocess.Popen([sys.executable, "-m", "tariffsim", "solve", "--data", "ossa2014", "--scenario",
                                str(EXAMPLES / "us_autos_japan.toml"), "--save"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(2.0)  # reading and solving take longer
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.strip().endswith("interrupted; nothing written"), err[-2000:]
    with Store(db) as store:
        assert store.list().empty and store.check() == []
