"""Results as tables and files: one canonical long table, and every other view built from it.

The long table has columns ``level`` (``country``, ``country_sector`` or ``bilateral``), ``country``,
``partner`` (importer for bilateral rows, else empty), ``sector`` (empty for country rows),
``variable``, ``value`` and ``unit``. Percent changes are ``100 * (new / baseline - 1)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tariffsim.equilibrium import Equilibrium

SCHEMA_VERSION = 1

# variable -> (unit, description); the order is the order of country tables.
COUNTRY_VARIABLES: dict[str, tuple[str, str]] = {
    "welfare": ("pct", "real income (expenditure deflated by the price index), % change"),
    "government_welfare": ("pct", "government welfare with political-economy weights (all ones unless given), % change"),
    "nominal_wage": ("pct", "wage in units of world labour income (numeraire), % change"),
    "relative_wage": ("pct", "wage relative to the world average change, % change"),
    "price_index": ("pct", "consumer price index, % change"),
    "expenditure": ("pct", "nominal tariff-inclusive spending, % change"),
    "exports": ("pct", "exports at world prices, % change"),
    "imports": ("pct", "imports at world prices, % change"),
    "tariff_revenue": ("pct", "tariff revenue, % change (NaN where baseline revenue is zero)"),
    "profits_per_wage": ("pct", "aggregate profits deflated by the own wage, % change (krugman only)"),
    "terms_of_trade": ("pct_of_expenditure", "first-order terms-of-trade effect"),
    "profit_shifting": ("pct_of_expenditure", "first-order profit-shifting effect"),
    "trade_volume": ("pct_of_expenditure", "first-order trade-volume effect"),
    "tariff_revenue_new": ("data_units", "counterfactual tariff revenue"),
    "exports_new": ("data_units", "counterfactual exports at world prices"),
    "imports_new": ("data_units", "counterfactual imports at world prices"),
    "net_exports_new": ("data_units", "counterfactual net exports imposed"),
}
SECTOR_VARIABLES: dict[str, tuple[str, str]] = {
    "output": ("pct", "sales (domestic and foreign) at world prices, % change"),
    "exports": ("pct", "exports at world prices, % change"),
    "imports": ("pct", "imports at world prices, % change"),
    "output_new": ("data_units", "counterfactual sales"),
    "exports_new": ("data_units", "counterfactual exports"),
    "imports_new": ("data_units", "counterfactual imports"),
}
BILATERAL_VARIABLES: dict[str, tuple[str, str]] = {
    "flow": ("pct", "exporter-to-importer flow summed over sectors at world prices, % change"),
    "flow_new": ("data_units", "counterfactual flow summed over sectors"),
}


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(old != 0, 100 * (new / np.where(old != 0, old, 1) - 1), np.nan)


def country_values(eq: Equilibrium, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """(N,) arrays for every variable of COUNTRY_VARIABLES."""
    world = eq.world
    decomposition = eq.decomposition_pct
    return {
        "welfare": 100 * (eq.welfare_hat - 1),
        "government_welfare": 100 * (eq.government_welfare_hat(weights) - 1),
        "nominal_wage": 100 * (eq.w_hat - 1),
        "relative_wage": 100 * (eq.relative_wage_hat - 1),
        "price_index": 100 * (eq.price_index_hat - 1),
        "expenditure": 100 * (eq.E_hat - 1),
        "exports": _pct(eq.exports, world.exports),
        "imports": _pct(eq.imports, world.imports),
        "tariff_revenue": _pct(eq.tariff_revenue, world.tariff_revenue),
        "profits_per_wage": 100 * (eq.profits_per_wage_hat - 1),
        **decomposition,
        "tariff_revenue_new": eq.tariff_revenue,
        "exports_new": eq.exports,
        "imports_new": eq.imports,
        "net_exports_new": eq.net_exports,
    }


def sector_values(eq: Equilibrium) -> dict[str, np.ndarray]:
    """(N, S) arrays for every variable of SECTOR_VARIABLES."""
    world = eq.world
    idx = np.arange(world.n_countries)
    base_domestic = world.trade[idx, idx, :]
    base_exports = world.trade.sum(axis=1) - base_domestic
    base_imports = world.trade.sum(axis=0) - base_domestic
    return {
        "output": _pct(eq.sales, world.trade.sum(axis=1)),
        "exports": _pct(eq.sector_exports, base_exports),
        "imports": _pct(eq.sector_imports, base_imports),
        "output_new": eq.sales,
        "exports_new": eq.sector_exports,
        "imports_new": eq.sector_imports,
    }


def equilibrium_frame(eq: Equilibrium, weights: np.ndarray | None = None) -> pd.DataFrame:
    """The canonical long table of an equilibrium (see module docstring)."""
    world = eq.world
    countries = np.array(world.countries)
    sectors = np.array(world.sectors)
    n, s = world.n_countries, world.n_sectors
    parts = []
    for variable, values in country_values(eq, weights).items():
        parts.append(pd.DataFrame({"level": "country", "country": countries, "partner": "", "sector": "",
                                   "variable": variable, "value": values,
                                   "unit": COUNTRY_VARIABLES[variable][0]}))
    for variable, values in sector_values(eq).items():
        parts.append(pd.DataFrame({"level": "country_sector", "country": np.repeat(countries, s),
                                   "partner": "", "sector": np.tile(sectors, n), "variable": variable,
                                   "value": values.ravel(), "unit": SECTOR_VARIABLES[variable][0]}))
    flows_new = eq.trade.sum(axis=2)
    for variable, values in (("flow", _pct(flows_new, world.trade.sum(axis=2))), ("flow_new", flows_new)):
        parts.append(pd.DataFrame({"level": "bilateral", "country": np.repeat(countries, n),
                                   "partner": np.tile(countries, n), "sector": "", "variable": variable,
                                   "value": values.ravel(), "unit": BILATERAL_VARIABLES[variable][0]}))
    return pd.concat(parts, ignore_index=True)


def country_table(eq: Equilibrium, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Countries in rows, percent-change variables in columns (index: country code)."""
    values = country_values(eq, weights)
    columns = [v for v, (unit, _) in COUNTRY_VARIABLES.items() if unit != "data_units"]
    table = pd.DataFrame({v: values[v] for v in columns}, index=pd.Index(eq.world.countries, name="country"))
    if eq.model != "krugman":
        table = table.drop(columns=["profits_per_wage", "profit_shifting"])
    return table


HEADLINE = ("welfare", "relative_wage", "price_index", "exports", "imports", "tariff_revenue")


def summary_text(eq: Equilibrium) -> str:
    """A plain-text headline table, for logs and ``print``."""
    table = country_table(eq)[list(HEADLINE)]
    return (f"{eq.policy.name or 'counterfactual'} — {eq.model} model on {eq.world.label or 'world'}; "
            f"percent changes; max residual {eq.max_residual:.1e}\n" + table.round(3).to_string())


def to_json_dict(eq: Equilibrium, scenario: dict | None = None) -> dict:
    """A JSON-ready document: metadata, solver facts, variable glossary and the long table's rows."""
    frame = equilibrium_frame(eq)
    return {
        "schema": "tariffsim.equilibrium",
        "schema_version": SCHEMA_VERSION,
        "model": eq.model,
        "world": {"label": eq.world.label, "countries": list(eq.world.countries),
                  "country_names": list(eq.world.country_names), "sectors": list(eq.world.sectors),
                  "sector_names": list(eq.world.sector_names)},
        "scenario": scenario or {"name": eq.policy.name},
        "solver": {"method": eq.method, "steps": eq.steps, "max_residual": eq.max_residual},
        "units": {"pct": "percent change, 100*(new/baseline - 1)",
                  "pct_of_expenditure": "percent of baseline expenditure (first-order decomposition)",
                  "data_units": "levels in the data's units at world (pre-tariff) prices"},
        "variables": {level: {v: d for v, (_, d) in table.items()} for level, table in
                      (("country", COUNTRY_VARIABLES), ("country_sector", SECTOR_VARIABLES),
                       ("bilateral", BILATERAL_VARIABLES))},
        "results": json.loads(frame.to_json(orient="records")),
    }


def write_results(eq: Equilibrium, *, json_path: Path | None = None, csv_dir: Path | None = None,
                  parquet_dir: Path | None = None, scenario: dict | None = None) -> list[Path]:
    """Write the results files asked for; each file appears whole or not at all. Returns the paths."""
    written: list[Path] = []
    if json_path is not None:
        written.append(_atomic_write(Path(json_path), lambda p: p.write_text(
            json.dumps(to_json_dict(eq, scenario), indent=1, allow_nan=True))))
    frame = equilibrium_frame(eq)
    for folder, suffix, writer in ((csv_dir, "csv", lambda df, p: df.to_csv(p, index=False)),
                                   (parquet_dir, "parquet", lambda df, p: df.to_parquet(p, index=False))):
        if folder is None:
            continue
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for level, part in frame.groupby("level", sort=False):
            target = folder / f"{level}.{suffix}"
            written.append(_atomic_write(target, lambda p, part=part: writer(part, p)))
    return written


def _atomic_write(target: Path, write) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        write(temporary)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
