"""Game results as tables and JSON documents: what ``to_frame`` of every game result returns, and the
document the CLI writes with ``--json`` (the CLI only prints these).

Documents have ``schema`` ``tariffsim.games.<command>`` and ``schema_version``; ``units`` explains every
unit; ``countries`` has one row per country (``government_welfare_pct`` and ``welfare_pct``: percent
change from the baseline; ``median_tariff_pct``: median of the importer's tariffs over partners and
sectors, percent); ``tariffs`` lists the outcome's tariffs of the countries that chose them
(``exporter``, ``importer``, ``sector``, ``tariff`` as a fraction: 0.25 = 25%); ``solver`` holds
convergence facts (residuals in log government welfare or tariff fractions, as named).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tariffsim.assumptions import assumptions

SCHEMA_VERSION = 1
COLUMNS = {"gov. welfare %": "government_welfare_pct", "welfare %": "welfare_pct",
           "median tariff %": "median_tariff_pct"}
UNITS = {"government_welfare_pct": "percent change of government welfare G (MODEL_OSSA2014.md §3.6)",
         "welfare_pct": "percent change of real income", "median_tariff_pct": "percent",
         "tariff": "ad-valorem tariff as a fraction (0.25 = 25%)",
         "kkt_residual": "largest projected gradient of log G over the tariff bounds",
         "gain": "log government welfare (1e-6 = 0.0001%)", "seconds": "wall time"}


def median_tariff_pct(cube: np.ndarray) -> np.ndarray:
    """(N,) median of each importer's tariffs over partners and sectors, percent; cube (N,N,S)."""
    n = cube.shape[0]
    return np.array([100 * np.median(np.delete(cube[:, j, :], j, axis=0)) for j in range(n)])


def country_frame(equilibrium, government_welfare_hat: np.ndarray, cube: np.ndarray,
                  choosers: Sequence[str] = ()) -> pd.DataFrame:
    """Countries in rows: government welfare and welfare changes (%), median tariff (%), and (with
    ``choosers``) which countries chose their tariffs."""
    world = equilibrium.world
    frame = pd.DataFrame({"gov. welfare %": 100 * (np.asarray(government_welfare_hat) - 1),
                          "welfare %": 100 * (equilibrium.welfare_hat - 1),
                          "median tariff %": median_tariff_pct(cube)},
                         index=pd.Index(world.countries, name="country"))
    if choosers:
        frame["chose tariffs"] = ["yes" if c in choosers else "" for c in world.countries]
    return frame


def optima_frame(optima: Sequence) -> pd.DataFrame:
    """One row per ``OptimalTariffs`` (each country at its own optimum): own government-welfare and
    welfare changes, the others' mean welfare change (%), the median chosen tariff (%), the KKT
    residual, the spread of log G over the starts, solves and seconds."""
    rows = {}
    for result in optima:
        world = result.equilibrium.world
        j = world.country_index(result.country)
        welfare = 100 * (result.equilibrium.welfare_hat - 1)
        rows[result.country] = {
            "gov. welfare %": result.gain_pct, "welfare %": welfare[j],
            "others' welfare %": np.delete(welfare, j).mean(), "median tariff %": 100 * float(np.median(result.chosen)),
            "KKT residual": result.kkt_residual,
            "start spread": float(max(result.start_values) - min(result.start_values)),
            "solves": float(result.solves), "seconds": result.seconds}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("country")


def tariff_frame(world, cube: np.ndarray, importers: Sequence[str]) -> pd.DataFrame:
    """The tariffs ``importers`` set in ``cube``: one row per exporter, importer and sector (fractions)."""
    rows = []
    for j in (world.country_index(c) for c in importers):
        rows += [{"exporter": world.countries[i], "importer": world.countries[j], "sector": world.sectors[s],
                  "tariff": float(cube[i, j, s])}
                 for i in range(world.n_countries) if i != j for s in range(world.n_sectors)]
    return pd.DataFrame(rows, columns=["exporter", "importer", "sector", "tariff"])


def document(command: str, model_name: str, world, options: dict, countries: pd.DataFrame, tariffs: pd.DataFrame,
             solver: dict, **more) -> dict:
    """The JSON document of a game's result (see the module docstring)."""
    rows = countries[list(COLUMNS)].rename(columns=COLUMNS).reset_index()
    return {
        "schema": f"tariffsim.games.{command}", "schema_version": SCHEMA_VERSION, "model": model_name,
        "world": {"label": world.label, "countries": list(world.countries), "sectors": list(world.sectors)},
        "options": options, "assumptions": assumptions(world, options.get("net_exports", "fixed")), "units": UNITS,
        "countries": json.loads(rows.to_json(orient="records")),
        "solver": solver, **more, "tariffs": json.loads(tariffs.to_json(orient="records")),
    }
