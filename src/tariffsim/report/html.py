"""The report as one self-contained HTML page: inline CSS, figures embedded as base64 PNG, no scripts.

Sections (each with a stable ``id``): ``headline``, one ``scenario-<file stem>`` per scenario,
``diversion``, ``game``, ``assumptions``, ``rerun``, ``files``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from tariffsim.assumptions import assumptions_line
from tariffsim.report.game import GameView, point_names
from tariffsim.report.pack import Pack
from tariffsim.report.run import ScenarioResult
from tariffsim.report.tables import sector_label
from tariffsim.sector_groups import vocabulary
from tariffsim.world import World

STYLE = """
body { font-family: Georgia, 'DejaVu Serif', serif; max-width: 1180px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #222; padding-bottom: 0.2em;
     margin-top: 2em; } h3 { margin-top: 1.6em; }
.lede { font-size: 1.15em; color: #444; }
.headline li { margin: 0.5em 0; } .gain { color: #2166ac; font-weight: bold; } .loss { color: #b2182b;
     font-weight: bold; }
table { border-collapse: collapse; margin: 0.8em 0; font-family: 'DejaVu Sans', Arial, sans-serif;
        font-size: 0.85em; } th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; max-width: 34em; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; } code, pre { background: #f5f5f5; padding: 0.1em 0.3em; }
pre { padding: 0.8em; overflow-x: auto; } .note { font-size: 0.9em; color: #555; }
"""


@dataclass(frozen=True)
class PageContent:
    """Everything the page shows, computed elsewhere (tables as DataFrames, figures as PNG bytes)."""

    pack: Pack
    world: World
    data_label: str
    results: Sequence[ScenarioResult]
    headline: pd.DataFrame
    steps: Mapping[str, pd.DataFrame]
    figures: Mapping[str, bytes]
    diversion: pd.DataFrame | None
    diversion_by_exporter: pd.DataFrame | None
    game: GameView | None
    game_points: pd.DataFrame | None
    rerun: str
    files: Sequence[str]


def money(usd_m: float) -> str:
    """US$ millions in words: 'US$1.2 billion', 'US$350 million' (sign first)."""
    sign = "-" if usd_m < 0 else "+"
    value = abs(usd_m)
    return f"{sign}US${value / 1000:,.1f} billion" if value >= 1000 else f"{sign}US${value:,.0f} million"


def pct(value: float) -> str:
    """A signed percent with enough digits to show small changes: '+0.56%', '-0.004%'."""
    digits = 2 if abs(value) >= 0.01 or value == 0 else 3
    return f"{value:+.{digits}f}%"


def _signed(value: float, text: str) -> str:
    kind = "gain" if value > 0 else "loss" if value < 0 else ""
    return f'<span class="{kind}">{escape(text)}</span>'


def _name(world: World, code: str) -> str:
    names = dict(zip(world.countries, world.country_names or world.countries, strict=True))
    return names[code]


def _img(figures: Mapping[str, bytes], name: str, caption: str) -> str:
    data = base64.b64encode(figures[name]).decode("ascii")
    return (f'<figure id="figure-{escape(name)}"><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)} Files: <code>figures/{escape(name)}.png</code>, "
            f"<code>figures/{escape(name)}.svg</code>.</figcaption></figure>")


def _table(frame: pd.DataFrame, digits: int = 2, index: bool = True) -> str:
    frame = frame.reset_index() if index else frame
    head = "".join(f'<th class="{"" if pd.api.types.is_numeric_dtype(frame[c]) else "text"}">{escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            if isinstance(value, float):
                text = "" if value != value else f"{value:,.{digits}f}"
                cells.append(f"<td>{text}</td>")
            else:
                cells.append(f'<td class="text">{escape(str(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _headline(content: PageContent) -> str:
    world, table = content.world, content.headline
    items = []
    for scenario, rows in table.groupby("scenario", sort=False):
        rows = rows.set_index("country")
        best, worst = rows["real_income_pct"].idxmax(), rows["real_income_pct"].idxmin()
        parts = []
        for code in content.pack.focus:
            r = rows.loc[world.countries[world.country_index(code)]]
            parts.append(f"{escape(_name(world, r.name))}: real income "
                         + _signed(r.real_income_pct, f"{pct(r.real_income_pct)} ({money(r.real_income_usd_m)})")
                         + ", exports " + _signed(r.exports_pct, f"{r.exports_pct:+.1f}% ({money(r.exports_usd_m)})"))
        extremes = (f"Biggest gain: {escape(_name(world, best))} "
                    + _signed(rows.loc[best, "real_income_pct"], pct(rows.loc[best, "real_income_pct"]))
                    + f"; biggest loss: {escape(_name(world, worst))} "
                    + _signed(rows.loc[worst, "real_income_pct"], pct(rows.loc[worst, "real_income_pct"])) + ".")
        items.append(f"<li><b>{escape(scenario)}.</b> {'; '.join(parts)}. {extremes}</li>")
    wide = table.pivot(index="scenario", columns="country", values="real_income_pct").loc[
        list(dict.fromkeys(table["scenario"]))]
    return (f'<section id="headline"><h2>Headline: who gains, who loses</h2>'
            f'<p class="note">Real income: the change in what a country\'s spending buys (welfare), in percent and '
            "in US dollars at the data's prices (percent change times baseline spending). Exports at world "
            f"prices. Each scenario is compared with today's tariffs.</p>"
            f'<p class="note assumptions">{escape(_scenario_assumptions(content))}</p>'
            f'<ul class="headline">{"".join(items)}</ul>'
            + _img(content.figures, "headline", "Real income and exports by scenario and country, % change.")
            + "<h3>Real income, % change (all countries)</h3>" + _table(wide, 3) + "</section>")


def _scenario_assumptions(content: PageContent) -> str:
    """The data, year, elasticity set and deficit treatment of the scenarios (``tariffsim.assumptions``)."""
    rules = sorted({r.equilibrium.policy.net_exports for r in content.results})
    return " ".join(assumptions_line(content.world, rule) for rule in rules)


def _scenario(content: PageContent, result: ScenarioResult) -> str:
    item = result.item
    stem = Path(item.file).stem
    steps = content.steps[item.file][["description", "source", "trade", "mean_tariff_before", "mean_tariff_after"]]
    steps = steps.rename(columns={"trade": "trade touched (US$ m)", "mean_tariff_before": "tariff before %",
                                  "mean_tariff_after": "tariff after %"})
    return (f'<section id="scenario-{escape(stem)}" class="scenario"><h3>{escape(result.label)}: '
            f"{escape(item.scenario.title)}</h3><p>{escape(item.scenario.description)}</p>"
            f'<p class="note">Source: {escape(item.scenario.source or "not given")}. File: '
            f"<code>{escape(item.file)}</code>. Equilibrium verified: largest residual "
            f"{result.equilibrium.max_residual:.1e}.</p>" + _table(steps, 1, index=False)
            + _img(content.figures, f"scenario_{stem}",
                   f"{result.label}: real income by country, bilateral flows, and the 10 sectors whose exports "
                   "change most for each of the pair.")
            + (_img(content.figures, f"map_{stem}", f"{result.label}: real income (welfare) by country, % change; "
                    "regions such as ROW in one colour, countries outside the world grey.")
               if f"map_{stem}" in content.figures else "")
            + f'<p class="note">Tables: <code>tables/scenario_{escape(stem)}_countries.csv</code>, '
            f"<code>..._sectors.csv</code>, <code>..._bilateral.csv</code>.</p></section>")


def _diversion(content: PageContent) -> str:
    if content.diversion is None or content.diversion_by_exporter is None:
        return ""
    spec = content.pack.diversion
    world, table, totals = content.world, content.diversion, content.diversion_by_exporter
    third = list(dict.fromkeys(table.loc[table["third_country"], "exporter"]))
    losers = totals.loc[third][totals.loc[third, "bilateral_change_usd_m"] < 0].sort_values("bilateral_change_usd_m")
    importer = escape(_name(world, spec.importer))
    lines = []
    for exporter, row in losers.iterrows():
        sectors = table[(table["exporter"] == exporter) & table["diverted"]].nsmallest(3, "bilateral_change_usd_m")
        detail = ", ".join(f"{sector_label(world, s)} {money(v)}"
                           for s, v in zip(sectors["sector"], sectors["bilateral_change_usd_m"], strict=True))
        lines.append(f"<li><b>{escape(_name(world, exporter))}</b> loses "
                     + _signed(row.bilateral_change_usd_m, money(abs(row.bilateral_change_usd_m)).lstrip("+"))
                     + f" of exports to {importer} under the bilateral deal (largest: {escape(detail)}); under the "
                     "MFN deal its exports to " + importer + " change by "
                     + _signed(row.multilateral_change_usd_m, money(row.multilateral_change_usd_m)) + ".</li>")
    partner = totals.loc[spec.partner]
    lines.append(f"<li>For comparison, {escape(_name(world, spec.partner))}'s exports to {importer} change by "
                 + _signed(partner.bilateral_change_usd_m, money(partner.bilateral_change_usd_m))
                 + " under the bilateral deal, and by "
                 + _signed(partner.multilateral_change_usd_m, money(partner.multilateral_change_usd_m))
                 + " under the MFN deal.</li>")
    intro = (f"<p>When {importer} cuts tariffs only for {escape(_name(world, spec.partner))} goods, those goods "
             f"displace third countries' goods in {importer}'s market: trade diversion. When the same cuts go to "
             "every partner (MFN), no supplier gains an edge over the others.</p>"
             + ("" if lines[:-1] else "<p>No third country loses exports in these sectors.</p>"))
    return (f'<section id="diversion"><h2>Bilateral or multilateral: trade diversion</h2>{intro}'
            f'<ul class="headline">{"".join(lines)}</ul>'
            + _img(content.figures, "diversion", f"Exports to {spec.importer} in {', '.join(spec.sectors)}: bilateral "
                   "deal versus MFN deal, by exporter and (bilateral deal) by sector.")
            + _table(totals, 1) + '<p class="note">Full detail by exporter and sector: '
            "<code>tables/diversion.csv</code>.</p></section>")


def _game(content: PageContent) -> str:
    view, points = content.game, content.game_points
    if view is None or points is None:
        return ""
    a, b = view.pair
    names = point_names(view.pair)
    war, deal = points.set_index("point").loc[names[3]], points.set_index("point").loc[names[4]]
    text = (f"<p>Each side's <b>best response</b> is the set of tariffs, sector by sector, that maximises its own "
            f"real income against the other, all other tariffs fixed. If both play that game, they end in a "
            f"<b>tariff war</b> (their Nash equilibrium): {escape(a)} real income "
            + _signed(war[f"{a}_real_income_pct"], pct(war[f"{a}_real_income_pct"])) + f", {escape(b)} "
            + _signed(war[f"{b}_real_income_pct"], pct(war[f"{b}_real_income_pct"]))
            + ". That war is the threat point of talks: any deal both prefer to it is in the <b>bargaining set</b>; "
            "the <b>Nash bargaining solution</b> is the deal that maximises the product of both sides' gains "
            f"over the war: {escape(a)} " + _signed(deal[f"{a}_real_income_pct"], pct(deal[f"{a}_real_income_pct"]))
            + f", {escape(b)} " + _signed(deal[f"{b}_real_income_pct"], pct(deal[f"{b}_real_income_pct"]))
            + ".</p>")
    reused = " (reused from the cache)" if view.reused else ""
    kkt = ", ".join(f"{name} {value:.1e}" for name, value in view.kkt.items())
    return (f'<section id="game"><h2>The game view: {escape(a)} and {escape(b)}</h2>{text}'
            + _img(content.figures, "game", f"The {a}-{b} game: best responses, tariff war (threat point), "
                   "bargaining set and Nash bargaining solution; right: mean tariffs at each point.")
            + _table(points.set_index("point"), 2)
            + f'<p class="note">Changes from today\'s tariffs on the world with trade imbalances removed (Ossa 2014); '
            f"the shaded set is drawn through the efficient deals for bargaining weights "
            f"{view.frontier_alpha[0]:.1f} to {view.frontier_alpha[-1]:.1f}. Optimisations took "
            f"{view.seconds:.0f} s{reused}; first-order residuals: {escape(kkt)}. Tables: "
            "<code>tables/game_points.csv</code>, <code>tables/game_tariffs.csv</code>, "
            "<code>tables/game_frontier.csv</code>.</p></section>")


def _assumptions(content: PageContent) -> str:
    rows = [(r.label, step.description, step.source or "not given")
            for r in content.results for step in r.item.scenario.steps]
    frame = pd.DataFrame(rows, columns=["scenario", "change", "source or assumption"])
    world = content.world
    codes = {"gtap": "GTAP codes", "icio": "OECD ICIO codes", "wiod": "WIOD codes"}.get(vocabulary(world.sectors) or "")
    game = content.game is not None
    notes = [
        f"Data: {escape(content.data_label)}: trade flows and tariffs for {world.n_countries} regions and "
        f"{world.n_sectors} sectors{f' ({codes})' if codes else ''}, values in millions of US dollars.",
        "Model: the multi-sector Krugman model of Ossa (2014), 'Trade Wars and Trade Talks with Data' (monopolistic "
        "competition, firms earn profits, one elasticity of substitution per sector). Each result is a new general "
        "equilibrium: wages, prices and trade all adjust; every equilibrium is verified (largest equation residual "
        "at most 1e-10) or the report stops.",
        "Real income (welfare) is spending deflated by the price index; it includes tariff revenue and profits. "
        "Scenarios keep each country's trade balance at its level in the data.",
        escape(_scenario_assumptions(content)) + (" Game view: the same data and elasticities with balanced trade "
                                                   "(imbalances purged)." if game else ""),
        *(["The game view removes trade imbalances first (as Ossa 2014 does) and lets each government maximise real "
           "income; it ignores retaliation by third countries and political lobbying."] if game else []),
        "A percent change in real income times baseline spending gives the US$ figure; it is a measure of size, "
        "not a forecast of GDP.",
        f"Not in the model: {'' if 'services' in world.sector_groups else 'services, '}investment, exchange rates, "
        "time (the results compare long-run equilibria), "
        "quotas and non-tariff barriers.",
    ]
    return ('<section id="assumptions"><h2>Assumptions and model notes</h2><ul>'
            + "".join(f"<li>{n}</li>" for n in notes) + "</ul><h3>Every change and its source</h3>"
            + _table(frame, index=False)
            + '<p class="note">Edit the lines marked PARAMETER in the scenario files to try other values.</p></section>')


def render(content: PageContent) -> str:
    """The whole page as one HTML string."""
    pack = content.pack
    story = f'<p class="lede">{escape(pack.story)}</p>' if pack.story else ""
    scenarios = "".join(_scenario(content, r) for r in content.results)
    files = "".join(f"<li><code>{escape(f)}</code></li>" for f in content.files)
    body = (f"<h1>{escape(pack.title)}</h1>{story}"
            f'<p class="note">Made with tariffsim from the scenario pack <code>{escape(str(pack.folder))}</code> on '
            f"{escape(content.data_label)}.</p>" + _headline(content)
            + f'<section id="scenarios"><h2>Scenario by scenario</h2>{scenarios}</section>'
            + _diversion(content) + _game(content) + _assumptions(content)
            + f'<section id="rerun"><h2>How to rerun</h2><pre>{escape(content.rerun)}</pre>'
            "<p>The game view is cached under the output folder, so a rerun takes seconds; delete "
            "<code>cache/</code> to compute it again.</p></section>"
            + f'<section id="files"><h2>Files</h2><ul>{files}</ul></section>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(pack.title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")
