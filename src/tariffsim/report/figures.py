"""The report's charts, drawn with matplotlib's object API (no pyplot state, Agg canvas).

Each ``*_figure`` function returns a ``matplotlib.figure.Figure``; ``save`` writes it as PNG and SVG
and returns the PNG bytes for embedding in the HTML page. Gains are blue, losses red.

In a world of more than ``MAX_COUNTRIES`` countries (icio2022 has 81) the country charts show the focus
pair and the countries with the largest real-income changes, ``MAX_COUNTRIES`` in all (in world order):
an 81 x 81 annotated heatmap is unreadable and takes minutes to draw. The tables keep every country.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tariffsim.report.game import GameView, point_names
from tariffsim.report.run import ScenarioResult
from tariffsim.report.tables import bilateral_changes, country_changes, sector_changes, sector_label

GAIN, LOSS, NEUTRAL = "#2166ac", "#b2182b", "#7f7f7f"
TOP_SECTORS = 10
MAX_COUNTRIES = 12
DPI = 110


def shown_countries(countries: Sequence[str], real_income_pct: np.ndarray, focus: Sequence[str] = ()) -> list[str]:
    """All ``countries`` when there are at most MAX_COUNTRIES; else the focus countries and those with the
    largest absolute real-income change (``real_income_pct``, one per country), MAX_COUNTRIES in all, in
    the order of ``countries``."""
    countries = list(countries)
    if len(countries) <= MAX_COUNTRIES:
        return countries
    keep = [c for c in focus if c in countries]
    for k in np.argsort(-np.abs(np.nan_to_num(np.asarray(real_income_pct, dtype=float))), kind="stable"):
        if len(keep) >= MAX_COUNTRIES:
            break
        if countries[k] not in keep:
            keep.append(countries[k])
    return [c for c in countries if c in keep]


def _of_shown(title: str, shown: Sequence[str], total: int) -> str:
    return title if len(shown) == total else f"{title}\n({len(shown)} of {total} countries: the largest changes)"


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def encode(figure: Figure) -> dict[str, bytes]:
    """The figure as PNG and SVG file contents, by extension."""
    files = {}
    for extension in ("png", "svg"):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=extension)
        files[extension] = buffer.getvalue()
    return files


def _colors(values: np.ndarray) -> list[str]:
    return [GAIN if v > 0 else LOSS if v < 0 else NEUTRAL for v in values]


def _heatmap(axes, frame: pd.DataFrame, title: str, digits: int, unit: str) -> None:
    """Annotated diverging heatmap of ``frame`` (rows x columns), centred on zero."""
    values = frame.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    bound = max(float(np.max(np.abs(finite))) if finite.size else 0.0, 1e-12)
    image = axes.imshow(values, cmap="RdBu", norm=TwoSlopeNorm(0.0, -bound, bound), aspect="auto")
    axes.set_xticks(range(frame.shape[1]), frame.columns, rotation=30, ha="right")
    axes.set_yticks(range(frame.shape[0]), frame.index)
    for (r, c), value in np.ndenumerate(values):
        if np.isfinite(value):
            axes.text(c, r, f"{value:+.{digits}f}", ha="center", va="center", fontsize=8,
                      color="white" if abs(value) > 0.6 * bound else "black")
    axes.set_title(title, loc="left", fontsize=11)
    axes.figure.colorbar(image, ax=axes, shrink=0.8, label=unit)


def headline_figure(headline: pd.DataFrame, focus: Sequence[str] = ()) -> Figure:
    """Two heatmaps, scenarios x countries: real income change (%) and exports change (%)."""
    figure = _figure(12, 0.5 * headline["scenario"].nunique() + 2.2)
    left, right = figure.subplots(1, 2)
    order = list(dict.fromkeys(headline["scenario"]))
    countries = list(dict.fromkeys(headline["country"]))
    largest = headline.assign(size=headline["real_income_pct"].abs()).groupby("country")["size"].max()
    shown = shown_countries(countries, largest.reindex(countries).to_numpy(), focus)
    for axes, column, title in ((left, "real_income_pct", "Real income, % change"),
                                (right, "exports_pct", "Exports, % change")):
        table = headline.pivot(index="scenario", columns="country", values=column).loc[order]
        table = table if len(shown) == len(countries) else table[shown]
        _heatmap(axes, table, _of_shown(title, shown, len(countries)), 2, "%")
    return figure


def scenario_figure(result: ScenarioResult, countries: tuple[str, str]) -> Figure:
    """Top: real income by country, bilateral flows (% change); bottom: the two countries' exports by
    sector (change in US$ million, the TOP_SECTORS largest changes)."""
    eq = result.equilibrium
    figure = _figure(12, 9)
    top, bottom = figure.subfigures(2, 1)
    grid = [top.subplots(1, 2), bottom.subplots(1, 2)]
    changes = country_changes(eq)
    shown = shown_countries(changes.index, changes["real_income_pct"].to_numpy(), countries)
    total, changes = len(changes), changes.loc[shown]
    axes = grid[0][0]
    axes.bar(changes.index, changes["real_income_pct"], color=_colors(changes["real_income_pct"].to_numpy()))
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_title(_of_shown("Real income by country, % change", shown, total), loc="left", fontsize=11)
    axes.set_ylabel("%")
    for x, value in enumerate(changes["real_income_pct"]):
        axes.annotate(f"{value:+.2f}", (x, value), ha="center", va="bottom" if value >= 0 else "top", fontsize=8)
    for axes, country in zip(grid[1], countries, strict=True):
        sectors = sector_changes(eq, country)
        top = sectors.reindex(sectors["exports_usd_m"].abs().sort_values(ascending=False).index[:TOP_SECTORS])[::-1]
        axes.barh([sector_label(eq.world, code) for code in top.index], top["exports_usd_m"], color=_colors(top["exports_usd_m"].to_numpy()))
        axes.axvline(0, color="black", linewidth=0.8)
        axes.xaxis.set_major_locator(MaxNLocator(5))
        axes.set_title(f"{country} exports by sector, US$ million", loc="left", fontsize=11)
    flows = bilateral_changes(eq).pivot(index="exporter", columns="importer", values="change_pct")
    if len(shown) < total:
        flows = flows.loc[[c for c in shown if c in flows.index], [c for c in shown if c in flows.columns]]
    _heatmap(grid[0][1], flows, _of_shown("Bilateral flows, % change (row exports to column)", shown, total), 1, "%")
    figure.suptitle(result.label, fontsize=13, x=0.01, ha="left", weight="bold")
    return figure


def diversion_figure(table: pd.DataFrame, by_exporter: pd.DataFrame, importer: str) -> Figure:
    """Third countries' exports to ``importer``: by exporter (bilateral vs MFN deal), by sector (bilateral)."""
    figure = _figure(12, 5.2)
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.7])
    third = table[table["third_country"]]
    by_exporter = by_exporter.loc[list(dict.fromkeys(third["exporter"]))]
    x = np.arange(len(by_exporter))
    for offset, column, label, hatch in ((-0.2, "bilateral_change_usd_m", "bilateral deal", ""),
                                         (0.2, "multilateral_change_usd_m", "MFN deal", "//")):
        values = by_exporter[column].to_numpy()
        left.bar(x + offset, values, width=0.4, color=_colors(values), hatch=hatch, edgecolor="white", label=label)
    left.set_xticks(x, by_exporter.index)
    left.axhline(0, color="black", linewidth=0.8)
    left.set_title(f"Third countries' exports to {importer}, change in\nUS$ million (plain: bilateral deal, "
                   "hatched: MFN deal)", loc="left", fontsize=11)
    busy = third.groupby("sector")["bilateral_change_usd_m"].sum().sort_values().index[:TOP_SECTORS]
    grid = third[third["sector"].isin(busy)].pivot(index="exporter", columns="sector",
                                                   values="bilateral_change_usd_m")[list(busy)]
    _heatmap(right, grid.loc[[e for e in by_exporter.index if e in grid.index]],
             f"Bilateral deal: third countries' change in exports to {importer},\nby sector (US$ million; "
             f"the {TOP_SECTORS} sectors with the largest losses)", 0, "US$ million")
    return figure


def game_figure(view: GameView) -> Figure:
    """Left: real-income plane of the pair with the bargaining set; right: mean tariffs at each point."""
    from tariffsim.report.tables import game_points

    a, b = view.pair
    figure = _figure(12, 5.2)
    left, right = figure.subplots(1, 2, width_ratios=[1.2, 1])
    points = game_points(view)
    threat = points.set_index("point").loc[point_names(view.pair)[3]]
    frontier = view.frontier_welfare_pct
    tx, ty = threat[f"{a}_real_income_pct"], threat[f"{b}_real_income_pct"]
    region = np.vstack([[tx, frontier[0, 1]], frontier, [frontier[-1, 0], ty], [tx, ty]])
    left.fill(region[:, 0], region[:, 1], color="#c6dbef", alpha=0.7, label="bargaining set (both beat the war)")
    left.plot(frontier[:, 0], frontier[:, 1], "-", color=GAIN, linewidth=2, label="efficient deals (frontier)")
    markers = ("o", ">", "^", "X", "*")
    for (_, row), marker in zip(points.iterrows(), markers, strict=True):
        x_, y_ = row[f"{a}_real_income_pct"], row[f"{b}_real_income_pct"]
        left.plot(x_, y_, marker, markersize=11, linestyle="none", label=row["point"])
        left.annotate(row["point"], (x_, y_), xytext=(7, -12), textcoords="offset points", fontsize=8)
    left.margins(x=0.3, y=0.08)
    left.axhline(0, color="grey", linewidth=0.6)
    left.axvline(0, color="grey", linewidth=0.6)
    left.set_xlabel(f"{a} real income, % change")
    left.set_ylabel(f"{b} real income, % change")
    left.set_title(f"The {a}-{b} game: what each side gets", loc="left", fontsize=11)
    left.legend(fontsize=8, loc="best")
    y = np.arange(len(points))
    for offset, column, color, label in ((-0.2, f"{a}_tariff_on_{b}_pct", "#4d4d4d", f"{a} on {b} goods"),
                                         (0.2, f"{b}_tariff_on_{a}_pct", "#e08214", f"{b} on {a} goods")):
        bars = right.barh(y + offset, points[column], height=0.4, color=color, label=label)
        right.bar_label(bars, fmt="%.1f", padding=3, fontsize=8)
    right.margins(x=0.12)
    right.set_yticks(y, points["point"])
    right.invert_yaxis()
    right.set_xlabel("mean tariff, % (weighted by today's trade)")
    right.set_title("Tariffs each side sets on the other", loc="left", fontsize=11)
    right.legend(fontsize=8)
    return figure
