"""The report's tables (pandas DataFrames), computed from verified equilibria; written as CSV files.

Units: ``*_pct`` columns are percent changes from the baseline; ``*_usd_m`` columns are changes in
millions of US dollars of the data's year (2007 for ossa2014), at world (pre-tariff) prices for
trade, and as percent change times baseline spending for real income (data units times
``World.money_unit``: ilms2025 is in thousand US$).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tariffsim.change import pct_change
from tariffsim.equilibrium import Equilibrium
from tariffsim.report.game import GameView
from tariffsim.report.pack import DiversionSpec
from tariffsim.report.run import ScenarioResult


def sector_label(world, code: str, width: int = 30) -> str:
    """'Motor vehicles and parts (mvh)': the sector's long name (shortened to ``width``) and its code."""
    names = dict(zip(world.sectors, world.sector_names or world.sectors, strict=True))
    name = names[code]
    name = name if len(name) <= width else name[:width - 1].rstrip() + "…"
    return code if name == code else f"{name} ({code})"


def country_changes(eq: Equilibrium) -> pd.DataFrame:
    """Countries in rows: real income and exports, in percent and in US$ million."""
    world = eq.world
    welfare_pct = 100 * (eq.welfare_hat - 1)
    return pd.DataFrame({
        "real_income_pct": welfare_pct,
        "real_income_usd_m": welfare_pct / 100 * world.expenditure * world.money_unit,
        "exports_pct": pct_change(eq.exports, world.exports),
        "exports_usd_m": (eq.exports - world.exports) * world.money_unit,
        "imports_pct": pct_change(eq.imports, world.imports),
        "price_index_pct": 100 * (eq.price_index_hat - 1),
    }, index=pd.Index(world.countries, name="country"))


def headline(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario and country (long): real income and exports changes."""
    frames = [country_changes(r.equilibrium).reset_index().assign(scenario=r.label) for r in results]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["scenario", "country", *frame.columns[1:-1]]]


def sector_changes(eq: Equilibrium, country: str) -> pd.DataFrame:
    """Sectors in rows for ``country``: exports, imports and output changes (US$ million and %)."""
    world = eq.world
    i = world.country_index(country)
    trade = world.trade
    base_exports = world.foreign_trade[i].sum(axis=0)  # cross-border cells only: no trade stays exactly 0
    base_imports = world.foreign_trade[:, i].sum(axis=0)
    new_exports, new_imports = eq.sector_exports[i], eq.sector_imports[i]
    unit = world.money_unit
    return pd.DataFrame({
        "exports_usd_m": (new_exports - base_exports) * unit, "exports_pct": pct_change(new_exports, base_exports),
        "imports_usd_m": (new_imports - base_imports) * unit, "imports_pct": pct_change(new_imports, base_imports),
        "output_pct": pct_change(eq.trade[i].sum(axis=0), trade[i].sum(axis=0)),
        "baseline_exports_usd_m": base_exports * unit,
    }, index=pd.Index(world.sectors, name="sector"))


def bilateral_changes(eq: Equilibrium) -> pd.DataFrame:
    """Exporter-importer pairs (long, foreign flows only): baseline flow and its change."""
    world = eq.world
    base, new = world.trade.sum(axis=2) * world.money_unit, eq.trade.sum(axis=2) * world.money_unit
    n = world.n_countries
    rows = [(world.countries[i], world.countries[j], base[i, j], new[i, j] - base[i, j],
             pct_change(new[i, j], base[i, j]).item()) for i in range(n) for j in range(n) if i != j]
    return pd.DataFrame(rows, columns=["exporter", "importer", "baseline_usd_m", "change_usd_m", "change_pct"])


def diversion(bilateral: Equilibrium, multilateral: Equilibrium, spec: DiversionSpec) -> pd.DataFrame:
    """Exports to ``spec.importer`` by exporter and sector: baseline, change under each deal.

    Rows: every foreign exporter and every sector of ``spec.sectors`` with baseline or new trade.
    ``third_country`` is False for the deal's partner; ``diverted`` is True where a third country loses
    sales under the bilateral deal.
    """
    world = bilateral.world
    j = world.country_index(spec.importer)
    sectors = world.sector_indices(spec.sectors)
    rows = []
    for i, exporter in enumerate(world.countries):
        if i == j:
            continue
        for s in sectors:
            base = world.trade[i, j, s] * world.money_unit
            changes = [eq.trade[i, j, s] * world.money_unit - base for eq in (bilateral, multilateral)]
            if base > 0 or any(changes):
                rows.append((exporter, world.sectors[s], base, *changes))
    frame = pd.DataFrame(rows, columns=["exporter", "sector", "baseline_usd_m", "bilateral_change_usd_m",
                                        "multilateral_change_usd_m"])
    frame["third_country"] = frame["exporter"] != world.countries[world.country_index(spec.partner)]
    frame["diverted"] = frame["third_country"] & (frame["bilateral_change_usd_m"] < 0)
    return frame


def diversion_by_exporter(table: pd.DataFrame) -> pd.DataFrame:
    """The diversion table summed over sectors, one row per exporter."""
    totals = table.groupby("exporter", sort=False)[["baseline_usd_m", "bilateral_change_usd_m",
                                                    "multilateral_change_usd_m"]].sum()
    base = totals["baseline_usd_m"]
    return totals.assign(bilateral_change_pct=pct_change(base + totals["bilateral_change_usd_m"], base),
                         multilateral_change_pct=pct_change(base + totals["multilateral_change_usd_m"], base))


def mean_tariff(cube: np.ndarray, eq: Equilibrium, exporter: str, importer: str) -> float:
    """Tariff (percent) levied by ``importer`` on ``exporter``, averaged with baseline trade weights."""
    world = eq.world
    i, j = world.country_index(exporter), world.country_index(importer)
    weights = world.trade[i, j]
    return float(100 * (cube[i, j] * weights).sum() / weights.sum())


def game_points(view: GameView) -> pd.DataFrame:
    """The game's points in rows: each side's real income change and mean tariff on the other."""
    a, b = view.pair
    rows = []
    for point in view.points:
        world = point.equilibrium.world
        ia, ib = world.country_indices([a, b])
        rows.append({"point": point.name, f"{a}_real_income_pct": point.welfare_pct[ia],
                     f"{b}_real_income_pct": point.welfare_pct[ib],
                     f"{a}_tariff_on_{b}_pct": mean_tariff(point.tariffs, point.equilibrium, b, a),
                     f"{b}_tariff_on_{a}_pct": mean_tariff(point.tariffs, point.equilibrium, a, b)})
    return pd.DataFrame(rows)


def game_tariffs(view: GameView) -> pd.DataFrame:
    """Sector tariffs (percent) each side of the pair levies on the other, at every point (long)."""
    a, b = view.pair
    rows = []
    for point in view.points:
        world = point.equilibrium.world
        for importer, exporter in ((a, b), (b, a)):
            i, j = world.country_indices([exporter, importer])
            rows += [(point.name, importer, exporter, sector, 100 * point.tariffs[i, j, s])
                     for s, sector in enumerate(world.sectors)]
    return pd.DataFrame(rows, columns=["point", "importer", "exporter", "sector", "tariff_pct"])


def frontier(view: GameView) -> pd.DataFrame:
    """The efficient frontier: bargaining weight of the first country and both real-income changes."""
    a, b = view.pair
    return pd.DataFrame({f"{a}_bargaining_weight": view.frontier_alpha,
                         f"{a}_real_income_pct": view.frontier_welfare_pct[:, 0],
                         f"{b}_real_income_pct": view.frontier_welfare_pct[:, 1]})
