"""The results store: every run saved (``--save``) into one local SQLite database, and read back.

A run is what one command computed: the command, its title, the scenario (or the game's options) and the
scenario file's text, the world, year, elasticity set and deficit treatment (``tariffsim.assumptions``),
the model, the solver's facts, the tariffsim version, and the long results table (``level``, ``country``,
``partner``, ``sector``, ``variable``, ``value``, ``unit``; the rows of ``tariffsim.results`` for
``solve``; a game's per-country numbers and chosen tariffs for ``nash``, ``optimal`` and ``talks``).
``run_from_document`` makes one from the JSON document a command writes with ``--json``.

The database (``default_path()``: ``$TARIFFSIM_RUNS``, else ``~/.local/share/tariffsim/runs.sqlite``) has
two tables, ``runs`` (one row a run) and ``results`` (its long rows, ``run_id`` first); ``PRAGMA
user_version`` is the schema version. It runs in WAL mode with a busy timeout, so two processes saving
at once both succeed (one waits for the other) and readers never block. ``Store.save`` is one
transaction: the run's row, then all its results rows, then the commit, with Ctrl-C held back for the
commit itself (``interrupt.deferred``); a Ctrl-C or crash before it rolls everything back, so the
database never holds half a run. ``runs.n_results`` records how many rows a run has (a check).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import pandas as pd

from tariffsim import __version__, interrupt
from tariffsim.errors import OptionError

ENVIRONMENT = "TARIFFSIM_RUNS"
SCHEMA_VERSION = 1
BUSY_SECONDS = 60.0
"""How long a save waits for another process's save to finish before giving up."""
CHUNK = 20_000
"""Results rows inserted per ``executemany`` call."""
COLUMNS = ("level", "country", "partner", "sector", "variable", "value", "unit")
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,          -- UTC, ISO 8601
    command TEXT NOT NULL,          -- solve, nash, optimal, talks
    title TEXT NOT NULL,
    world TEXT, year INTEGER, elasticity TEXT, model TEXT, deficits TEXT, net_exports TEXT,
    scenario TEXT NOT NULL,         -- JSON: the scenario's title, description, source, file, or a game's options
    scenario_text TEXT,             -- the scenario file as it was, when there is one
    assumptions TEXT NOT NULL,      -- JSON (tariffsim.assumptions)
    solver TEXT NOT NULL,           -- JSON: the solver's facts (residuals, steps, ...)
    version TEXT NOT NULL,          -- tariffsim version
    n_results INTEGER NOT NULL      -- rows in results for this run
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    level TEXT NOT NULL, country TEXT NOT NULL, partner TEXT NOT NULL, sector TEXT NOT NULL,
    variable TEXT NOT NULL, value REAL, unit TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_run ON results (run_id);
"""
GAME_VARIABLES = {"gov. welfare %": "government_welfare", "government_welfare_pct": "government_welfare",
                  "welfare %": "welfare", "welfare_pct": "welfare", "median tariff %": "median_tariff",
                  "median_tariff_pct": "median_tariff", "tariff %": "tariff"}
"""Per-country columns of the game documents -> the variable names of the results table (unit ``pct``)."""


def default_path() -> Path:
    """``$TARIFFSIM_RUNS``, else ``~/.local/share/tariffsim/runs.sqlite`` (``$XDG_DATA_HOME`` if set)."""
    if os.environ.get(ENVIRONMENT):
        return Path(os.environ[ENVIRONMENT])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "tariffsim" / "runs.sqlite"


@dataclass(frozen=True)
class Run:
    """One run, as saved: facts (``meta``: the columns of ``runs``) and the long results table."""

    meta: dict
    results: pd.DataFrame = field(repr=False)

    @property
    def id(self) -> int | None:
        return self.meta.get("id")


def run_from_document(command: str, document: dict, *, title: str, scenario_file: str | Path | None = None) -> Run:
    """The run of a command's JSON document (``results.to_json_dict`` for solve, a game's document for
    nash, optimal and talks): facts and the long results table."""
    facts = document.get("assumptions", {})
    text = Path(scenario_file).read_text(encoding="utf-8") if scenario_file is not None else None
    scenario = document.get("scenario") or document.get("options") or {
        k: document[k] for k in ("mode", "convention", "first_mover") if k in document}
    meta = {"command": command, "title": title, "world": facts.get("data"), "year": facts.get("year"),
            "elasticity": facts.get("elasticity_set"), "model": document.get("model"),
            "deficits": facts.get("deficits"), "net_exports": facts.get("net_exports"),
            "scenario": scenario, "scenario_text": text, "assumptions": facts,
            "solver": document.get("solver") or document.get("verification") or {}}
    if "results" in document:
        results = pd.DataFrame(document["results"], columns=list(COLUMNS))
    else:
        results = _game_rows(document)
    return Run(meta, results)


def _game_rows(document: dict) -> pd.DataFrame:
    """A game document's long rows: each numeric per-country column (level ``country``), and each chosen
    tariff (level ``tariff``: country = the importer that sets it, partner = the exporter it applies to,
    ``*`` for all, sector, unit ``fraction``)."""
    countries = pd.DataFrame(document.get("countries", []))
    parts = []
    for column in countries.columns:
        if column != "country" and pd.api.types.is_numeric_dtype(countries[column]):
            name = GAME_VARIABLES.get(column, column)
            parts.append(pd.DataFrame({"level": "country", "country": countries["country"], "partner": "",
                                       "sector": "", "variable": name, "value": countries[column].astype(float),
                                       "unit": "pct" if name in GAME_VARIABLES.values() else ""}))
    tariffs = pd.DataFrame(document.get("tariffs", [])).rename(columns={"importer": "country", "player": "country",
                                                                        "exporter": "partner"})
    if len(tariffs):
        parts.append(pd.DataFrame({"level": "tariff", "country": tariffs["country"], "partner": tariffs["partner"],
                                   "sector": tariffs["sector"], "variable": "tariff",
                                   "value": tariffs["tariff"].astype(float), "unit": "fraction"}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))


class Store:
    """A runs database at ``path`` (created with its folder on first use). Use as a context manager or
    call ``close()``."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        if self.path.is_dir():
            raise OptionError(f"runs database {self.path}: that is a folder; give a file, e.g. {self.path / 'runs.sqlite'}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            self.connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            self.connection.execute("PRAGMA foreign_keys = ON")
            self._create()
        except sqlite3.DatabaseError as error:
            raise OptionError(f"runs database {self.path}: {error}; it is not a tariffsim runs database (SQLite): "
                              f"give another file with --runs-db or ${ENVIRONMENT}") from None

    def _create(self) -> None:
        if self.connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.connection.execute("PRAGMA journal_mode = WAL")
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise OptionError(f"runs database {self.path} has schema version {version}, newer than this tariffsim's "
                              f"({SCHEMA_VERSION}): upgrade tariffsim or use another database")
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, SCHEMA.split(";")):
                self.connection.execute(statement)
            self.connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    # ------------------------------------------------------------------------------------------ write
    def save(self, run: Run) -> int:
        """Save ``run`` in one transaction; returns its id. Nothing of it is kept if this fails or is
        interrupted before the commit."""
        meta = run.meta
        rows = run.results.loc[:, list(COLUMNS)]
        row = (datetime.now(UTC).isoformat(timespec="seconds"), meta["command"], meta["title"], meta.get("world"),
               meta.get("year"), meta.get("elasticity"), meta.get("model"), meta.get("deficits"),
               meta.get("net_exports"), _json(meta.get("scenario", {})), meta.get("scenario_text"),
               _json(meta.get("assumptions", {})), _json(meta.get("solver", {})), __version__, len(rows))
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")  # the write lock now: a concurrent save waits up to BUSY_SECONDS
            run_id = connection.execute(
                "INSERT INTO runs (created, command, title, world, year, elasticity, model, deficits, net_exports, "
                "scenario, scenario_text, assumptions, solver, version, n_results) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row).lastrowid
            records = _rows(run_id, rows)
            for start in range(0, len(records), CHUNK):  # Ctrl-C is seen between chunks, and rolls back
                connection.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                       records[start:start + CHUNK])
            with interrupt.deferred():
                interrupt.raise_if_interrupted()
                connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):  # locked past BUSY_SECONDS, disk full, read-only
                raise OptionError(f"runs database {self.path}: the run was not saved ({error}); nothing of it was "
                                  "kept. If another tariffsim is saving a very large run, try again; else give "
                                  "another file with --runs-db") from None
            raise
        return int(run_id)

    # ------------------------------------------------------------------------------------------- read
    def list(self) -> pd.DataFrame:
        """One row per run, newest last: id, created, command, title, world, year, elasticity, model, rows."""
        frame = pd.read_sql_query("SELECT id, created, command, title, world, year, elasticity, model, "
                                  "n_results AS rows FROM runs ORDER BY id", self.connection).set_index("id")
        frame["year"] = frame["year"].astype("Int64")
        return frame

    def get(self, run_id: int | str) -> Run:
        """The run ``run_id`` with its results; OptionError naming the database if there is none."""
        key = _run_id(run_id, self.path)
        cursor = self.connection.execute("SELECT * FROM runs WHERE id = ?", (key,))
        found = cursor.fetchone()
        if found is None:
            raise OptionError(f"no run {run_id} in {self.path}: `tariffsim runs list` shows the saved runs")
        meta = dict(zip([d[0] for d in cursor.description], found, strict=True))
        for name in ("scenario", "assumptions", "solver"):
            meta[name] = json.loads(meta[name])
        results = pd.read_sql_query(f"SELECT {', '.join(COLUMNS)} FROM results WHERE run_id = ? ORDER BY rowid",
                                    self.connection, params=(key,))
        results["value"] = results["value"].astype(float)
        return Run(meta, results)

    def check(self) -> list[str]:
        """Problems of the database: SQLite's ``integrity_check`` and runs whose row count is not
        ``n_results`` (empty when all is well)."""
        problems = [r[0] for r in self.connection.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"run {i} has {n} results rows, not {expected}" for i, expected, n in self.connection.execute(
            "SELECT id, n_results, (SELECT count(*) FROM results WHERE run_id = runs.id) FROM runs "
            "WHERE n_results != (SELECT count(*) FROM results WHERE run_id = runs.id)")]
        return problems


def compare(a: Run, b: Run, variable: str = "welfare") -> pd.DataFrame:
    """Country by country, ``variable`` in run a and run b and b minus a (countries of either run)."""
    def column(run: Run) -> pd.Series:
        rows = run.results[(run.results["level"] == "country") & (run.results["variable"] == variable)]
        if rows.empty:
            known = sorted(set(run.results.loc[run.results["level"] == "country", "variable"]))
            raise OptionError(f"--variable {variable!r}: run {run.id} has no such country result; use one of "
                              f"{', '.join(known) or '(none)'}")
        return rows.set_index("country")["value"]

    if a.id == b.id:
        raise OptionError(f"run {a.id} compared with itself: give two different run ids (`tariffsim runs list`)")
    left, right = column(a), column(b)
    frame = pd.concat({f"run {a.id}": left, f"run {b.id}": right}, axis=1)
    frame[f"run {b.id} - run {a.id}"] = frame.iloc[:, 1] - frame.iloc[:, 0]
    return frame.rename_axis("country")


def _run_id(text: int | str, path: Path) -> int:
    try:
        return int(text)
    except ValueError:
        raise OptionError(f"run id {text!r}: ids are whole numbers (see `tariffsim runs list` for {path})") from None


def _json(value: object) -> str:
    return json.dumps(value, allow_nan=True, default=str)


def _rows(run_id: int, frame: pd.DataFrame) -> list[tuple]:
    """The results rows for ``executemany``, built column by column (10x faster than row by row); NaN (a
    change from a zero baseline) is stored as NULL."""
    texts = [frame[c].astype(str).tolist() for c in ("level", "country", "partner", "sector", "variable")]
    values = [None if math.isnan(v) else v for v in frame["value"].to_numpy(dtype=float).tolist()]
    return list(zip([run_id] * len(frame), *texts, values, frame["unit"].astype(str).tolist(), strict=True))
