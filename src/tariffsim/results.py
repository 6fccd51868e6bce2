"""Results as tables and files, built from the variables the model declares (``model.variables``).

One canonical long table per equilibrium, for every model: columns ``level`` (``country``,
``country_sector`` or ``bilateral``), ``country``, ``partner`` (importer for bilateral rows, else
empty), ``sector`` (empty for country rows), ``variable``, ``value`` and ``unit``. Percent changes are
``100 * (new / baseline - 1)``, NaN where the baseline is zero. JSON (one versioned schema),
CSV and Parquet are written from it; no code here asks which model it has.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tariffsim.assumptions import assumptions
from tariffsim.equilibrium import Equilibrium
from tariffsim.models.base import UNITS, Variable
from tariffsim.outputs import Writer

SCHEMA_VERSION = 2
HEADLINE = "headline"


def declared(eq: Equilibrium, level: str | None = None, group: str | None = None) -> tuple[Variable, ...]:
    """The model's variables, optionally of one level and one group, in declaration order."""
    return tuple(v for v in eq.model.variables
                 if (level is None or v.level == level) and (group is None or v.group == group) and v.available(eq))


def check_reported(eq: Equilibrium, variables=None) -> None:
    """Raise ConvergenceError when a reported quantity is NaN or infinite although it is defined (only a
    percent change from a zero baseline may be NaN): a residual check that passes on such numbers
    does not make them an equilibrium, so no table or file is built from them."""
    from tariffsim.errors import ConvergenceError
    from tariffsim.models._variables import reported_problems

    problems = reported_problems(eq, variables)
    if problems:
        raise ConvergenceError(
            f"the {eq.model.name} solution reports undefined numbers although every equation is within "
            f"tolerance: {'; '.join(problems[:5])}. The arithmetic overflowed or lost all precision; check "
            "the data for huge or tiny flows and tariffs (a tariff of 1e6 is already prohibitive)")


def values(eq: Equilibrium, level: str, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """name -> array of every declared variable of ``level`` ((N,), (N,S) or (N,N)).

    ``weights`` (N,S) replaces the unit political-economy weights of ``government_welfare``.
    """
    out = {v.name: np.asarray(v.compute(eq), dtype=float) for v in declared(eq, level)}
    if weights is not None and "government_welfare" in out:
        out["government_welfare"] = 100 * (eq.government_welfare_hat(weights) - 1)
    return out


def country_values(eq: Equilibrium, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """(N,) arrays of every declared country variable."""
    return values(eq, "country", weights)


def sector_values(eq: Equilibrium) -> dict[str, np.ndarray]:
    """(N, S) arrays of every declared country-sector variable."""
    return values(eq, "country_sector")


def equilibrium_frame(eq: Equilibrium, weights: np.ndarray | None = None) -> pd.DataFrame:
    """The canonical long table of an equilibrium (see module docstring)."""
    world = eq.world
    countries, sectors = np.array(world.countries), np.array(world.sectors)
    n, s = world.n_countries, world.n_sectors
    keys = {
        "country": {"country": countries, "partner": "", "sector": ""},
        "country_sector": {"country": np.repeat(countries, s), "partner": "", "sector": np.tile(sectors, n)},
        "bilateral": {"country": np.repeat(countries, n), "partner": np.tile(countries, n), "sector": ""},
    }
    check_reported(eq)
    units = {v.name + v.level: v.unit for v in eq.model.variables}
    parts = [pd.DataFrame({"level": level, **keys[level], "variable": name, "value": array.ravel(),
                           "unit": units[name + level]})
             for level in keys for name, array in values(eq, level, weights).items()]
    return pd.concat(parts, ignore_index=True)


def country_table(eq: Equilibrium, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Countries in rows, every declared country variable that is not a level in columns."""
    columns = [v.name for v in declared(eq, "country") if v.unit != "data_units"]
    data = country_values(eq, weights)
    return pd.DataFrame({c: data[c] for c in columns}, index=pd.Index(eq.world.countries, name="country"))


def group_table(eq: Equilibrium, group: str) -> pd.DataFrame:
    """Countries in rows, the declared country variables of ``group`` in columns, headed by their labels."""
    check_reported(eq, declared(eq, "country", group))
    return pd.DataFrame({v.label or v.name: np.asarray(v.compute(eq), dtype=float) for v in declared(eq, "country", group)},
                        index=pd.Index(eq.world.countries, name="country"))


def welfare_parts_table(eq: Equilibrium) -> pd.DataFrame:
    """The model's welfare-parts table (``model.welfare_parts_table``: variables and headers in order);
    empty (no columns) for models without one."""
    data = country_values(eq)
    if not all(name in data for name, _ in eq.model.welfare_parts_table):
        return pd.DataFrame(index=pd.Index(eq.world.countries, name="country"))
    return pd.DataFrame({label: data[name] for name, label in eq.model.welfare_parts_table},
                        index=pd.Index(eq.world.countries, name="country"))


def model_options(model) -> dict:
    """The model's options as JSON values (dataclass fields other than the solver settings)."""
    import dataclasses

    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model) if f.name != "solver"}


def summary_text(eq: Equilibrium) -> str:
    """A plain-text headline table, for logs and ``print``."""
    table = group_table(eq, HEADLINE)
    return (f"{eq.policy.name or 'counterfactual'} — {eq.model.name} model on {eq.world.label or 'world'}; "
            f"percent changes; max residual {eq.max_residual:.1e}\n" + table.round(3).to_string())


def to_json_dict(eq: Equilibrium, scenario: dict | None = None) -> dict:
    """A JSON-ready document: metadata, solver facts, variable glossary and the long table's rows.

    Schema ``tariffsim.equilibrium`` version 2 (every model): ``model`` (name), ``model_options``
    (e.g. ``io_links``, ``kind``, ``reference``), ``world``,
    ``scenario``, ``assumptions`` (data, year, elasticity set, deficit treatment: ``tariffsim.assumptions``),
    ``solver`` (method, steps, max_residual, tol), ``units``, ``variables`` (level ->
    name -> description) and ``results`` (the long table's rows).
    """
    return {"schema": "tariffsim.equilibrium", "schema_version": SCHEMA_VERSION, **facts(eq, scenario),
            "results": json.loads(equilibrium_frame(eq).to_json(orient="records"))}


def facts(eq: Equilibrium, scenario: dict | None = None) -> dict:
    """Everything of ``to_json_dict`` but its schema and rows: what the tables do not say themselves."""
    glossary: dict[str, dict[str, str]] = {}
    for v in declared(eq):
        glossary.setdefault(v.level, {})[v.name] = v.description
    return {
        "model": eq.model.name,
        "model_options": model_options(eq.model),
        "world": {"label": eq.world.label, "countries": list(eq.world.countries),
                  "country_names": list(eq.world.country_names), "sectors": list(eq.world.sectors),
                  "sector_names": list(eq.world.sector_names)},
        "scenario": scenario or {"name": eq.policy.name},
        "assumptions": assumptions(eq.world, eq.policy.net_exports),
        "solver": {"method": eq.method, "steps": eq.steps, "max_residual": eq.max_residual,
                   "tol": eq.model.solver.tol},
        "units": {u: UNITS[u] for u in sorted({v.unit for v in declared(eq)})},
        "variables": glossary,
    }


TABLES_SCHEMA = "tariffsim.tables"
ASSUMPTIONS_FILE = "assumptions.json"
"""Written beside the CSV tables of a result: the ``tables_metadata`` document."""
PARQUET_KEY = b"tariffsim"
"""The key-value metadata key of every Parquet table tariffsim writes: the same document as JSON."""


def tables_metadata(document: dict, tables: list[str]) -> dict:
    """What a folder of ``tables`` (names) carries beside its rows: schema ``tariffsim.tables`` version 1, the
    ``tables`` and the facts of ``document`` (a result's ``facts``, or per set for a sensitivity run)."""
    return {"schema": TABLES_SCHEMA, "schema_version": 1, "tables": tables, **document}


def write_tables(folder: Path, frames: dict[str, pd.DataFrame], suffix: str, metadata: dict) -> None:
    """Each frame as ``folder/<name>.<suffix>`` (``csv`` or ``parquet``), carrying ``metadata``: the CSV tables
    with ``assumptions.json`` beside them, each Parquet table in its key-value metadata (``PARQUET_KEY``)."""
    text = json.dumps(metadata, indent=1, allow_nan=True)
    if suffix == "csv":
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        (folder / ASSUMPTIONS_FILE).write_text(text + "\n", encoding="utf-8")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, frame in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_KEY: text.encode()})
        pq.write_table(table, folder / f"{name}.parquet")


def result_writers(eq: Equilibrium, *, json_path: Path | None = None, csv_dir: Path | None = None,
                   parquet_dir: Path | None = None, scenario: dict | None = None) -> dict[Path, Writer]:
    """One writer per results output asked for, for ``Outputs.write`` (which puts them in place together):
    the JSON document at ``json_path``; ``country``, ``country_sector`` and ``bilateral`` tables as CSV
    files in ``csv_dir`` (with ``assumptions.json``) and as Parquet files in ``parquet_dir`` (the same
    document in each file's metadata): ``write_tables``."""
    writers: dict[Path, Writer] = {}
    if json_path is not None:
        text = json.dumps(to_json_dict(eq, scenario), indent=1, allow_nan=True)
        writers[Path(json_path)] = lambda path: path.write_text(text)
    frames = {str(level): part for level, part in equilibrium_frame(eq).groupby("level", sort=False)}
    metadata = tables_metadata(facts(eq, scenario), list(frames))
    for folder, suffix in ((csv_dir, "csv"), (parquet_dir, "parquet")):
        if folder is not None:
            writers[Path(folder)] = lambda path, suffix=suffix: write_tables(path, frames, suffix, metadata)
    return writers
