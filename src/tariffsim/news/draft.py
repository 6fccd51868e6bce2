"""Write the findings as a draft scenario TOML file (``tariffsim.scenario`` format) for a person to finish.

Each ``Measure`` becomes one step: a tariff move becomes a ``[[change]]`` (importers = the imposer,
exporters = the target), a negotiation or trade agreement an ``[[agreement]]`` between its parties.
Above each step, comment lines give its status, conditions, limit and every evidence sentence; its
``source`` quotes the first. Values the article does not give are the placeholder "TODO" with a
comment saying what to fill, so ``load_scenario`` (and ``tariffsim solve``) refuse the draft until
they are replaced. Rates are copied exactly as written (``tariffsim.news.rates``); nothing is computed.

Threats and suspended measures are written *commented out* (each line starts with "# "): the draft
is the policy path the article reports (measures in force, plus the cuts and agreements agreed,
proposed or under negotiation), and threats are the alternative it mentions. Remove the "# " from
a block's lines to study the threat carried out.
"""

from __future__ import annotations

import json

from tariffsim.news.extract import Findings
from tariffsim.news.findings import (
    AGREED, ALL_PARTNERS, GOODS, IN_FORCE, NEGOTIATING, PROPOSED, SUSPENDED, SUSPENDED_THREAT, Measure,
)
from tariffsim.news.rates import SIGNS, Rate
from tariffsim.news.world_names import WorldNames

TODO = "TODO"
LABELS = {IN_FORCE: "IN FORCE", AGREED: "AGREED", PROPOSED: "PROPOSED", NEGOTIATING: "UNDER NEGOTIATION",
          SUSPENDED: "SUSPENDED, NOT IN FORCE", "threatened": "THREAT, NOT IN FORCE",
          "announced": "ANNOUNCED, NOT YET IN FORCE"}
VERBS = {"cut": "cuts tariffs on", "retaliation": "retaliates with tariffs on", "deal": "sets, by a deal, its tariff on"}
HEADER = """\
# Draft scenario written by `tariffsim from-news` from {source}.
# A draft: check every step against the article before using it.
# "TODO" marks a value the article does not give: `tariffsim solve` refuses this file until every
# TODO is replaced (the comment beside it says what to fill). Numbers are copied from the article.
# Steps in force, agreed, proposed or under negotiation are tables below; threats, announced (future)
# and suspended measures are commented out: remove the "# " at the start of their lines to model them."""

NOTHING_FOUND = ("# NOTHING FOUND: the article states no tariff move, cut, threat or trade agreement, so this draft has "
                 "no step;\n# solving it gives the baseline. Check that this is the article you meant.")


def draft_toml(findings: Findings, names: WorldNames, world: str | None = None) -> str:
    """The draft scenario as TOML text; ``world`` is written as the scenario's ``world`` key."""
    article = findings.article
    lines = [HEADER.format(source=article.source or "a news article")]
    lines += [f"# World: {world} ({names.label})." if world else
              "# No world given: countries are ISO3 codes, sectors GTAP codes and groups."]
    lines += [f"# Note: {note}" for note in _world_notes(findings, names)]
    if not findings.measures:
        lines += [NOTHING_FOUND]
    title = article.headline or "Draft scenario from a news article"
    lines += ["", f"title = {_quote(title)}",
              f"description = {_quote('Draft from the news: ' + _summary(findings))}",
              f"source = {_quote(article.source or 'news article')}"]
    if world:
        lines.append(f"world = {_quote(world)}")
    for measure in findings.measures:
        block = _agreement(measure, names) if measure.first.kind == "agreement" else _change(measure, names)
        lines += ["", *_comments(measure)]
        lines += block if measure.in_force else [f"# {line}" for line in block]
    return "\n".join(lines) + "\n"


def _summary(findings: Findings) -> str:
    pair = f" between {' and '.join(findings.pair)}" if findings.pair else ""
    return (f"what the article reports{pair}: steps in force, agreed or under negotiation are active; "
            "threatened, announced or suspended steps are commented out.")


def _world_notes(findings: Findings, names: WorldNames) -> list[str]:
    notes = [names.country(c.code).note for c in findings.countries]
    notes += [names.sector(s).note for m in findings.measures for s in m.sectors]
    return list(dict.fromkeys(n for n in notes if n))


def _comments(measure: Measure) -> list[str]:
    kind = "agreement" if measure.first.kind == "agreement" else "change"
    label = LABELS[measure.status] + (" (suspended threat)" if SUSPENDED_THREAT in measure.notes else "")
    lines = [f"# ---- {label}: {', '.join(dict.fromkeys(a.action for a in measure.actions))}"]
    if not measure.in_force:
        lines.append(f"# Commented out: remove the \"# \" from the [[{kind}]] line and the lines under it to model it.")
    lines += [f"# Condition: {c}" for c in measure.conditions]
    lines += [f"# Limit: {limit}" for limit in measure.limits]
    lines += [f"# Note: {n}" for n in measure.notes if n != SUSPENDED_THREAT]
    lines += [f"# Evidence: {s}" for s in dict.fromkeys(a.sentence for a in measure.actions)]
    return lines


def _agreement(measure: Measure, names: WorldNames) -> list[str]:
    members = [names.country(m).code or TODO for m in measure.members]
    who = " and ".join(members) if members else "the parties"
    lines = ["[[agreement]]", f"description = {_quote(_label(measure) + ': trade agreement between ' + who)}",
             f"source = {_quote(measure.evidence.sentence)}", f"members = {_list(members)}"]
    lines += _sector_lines(measure, names)
    rate = measure.rate
    if rate is not None and rate.form == "zero":
        lines.append(f"# cut left at its default (tariffs removed): the article says {_quote(rate.surface)}")
    else:
        said = f"the article says {_quote(rate.surface)}" if rate else "the article gives no number"
        lines.append(f"cut = \"{TODO}\"  # fraction of the tariffs the members levy on each other that is removed "
                     f"(one = all): {said}")
    return lines


def _change(measure: Measure, names: WorldNames) -> list[str]:
    importer = _country(measure.imposer, names)
    exporter = _country(measure.target, names)
    products = ", ".join(dict.fromkeys(p for a in measure.actions for p in a.products)) or "goods"
    verb = VERBS.get(measure.first.action, "raises tariffs on")
    source = "all partners" if exporter == ALL_PARTNERS else exporter
    description = f"{_label(measure)}: {importer} {verb} {products} from {source}"
    if measure.conditions:
        description += f" ({'; '.join(measure.conditions)})"
    lines = ["[[change]]", f"description = {_quote(description)}", f"source = {_quote(measure.evidence.sentence)}",
             _who("importers", importer, "the country levying the tariff"),
             _who("exporters", exporter, "the country whose goods are taxed")]
    lines += _sector_lines(measure, names, required=True)
    lines.append(_value(measure.rate, cut=measure.first.action == "cut", deal=measure.first.action == "deal"))
    return lines


def _value(rate: Rate | None, cut: bool, deal: bool = False) -> str:
    """The action line: a number only as the article wrote it, else TODO with what to fill. A deal's
    rate is the level it sets ("the deal sets a 15% tariff")."""
    if deal and rate is not None and rate.form == "plain":
        return f"set_percent = {rate.number}  # the level the deal sets: the article says {_quote(rate.surface)}"
    if rate is None:
        if cut:
            return (f"scale = \"{TODO}\"  # factor on the current tariffs (one = unchanged, zero = removed): "
                    "the article gives no number")
        return f"add_points = \"{TODO}\"  # percentage points added: the article gives no number"
    said = f"the article says {_quote(rate.surface)}"
    if rate.form == "unclear":
        what = "scale" if cut else "add_points"
        return f"{what} = \"{TODO}\"  # {said}, {_why_unclear(rate.surface)}: write the rate the article means"
    if rate.form == "level":
        return f"set_percent = {rate.number}  # new level: {said}"
    if rate.form == "points":
        return f"add_points = {'-' if cut else ''}{rate.number}  # {said}"
    if rate.form == "zero" and cut:
        return f"set_percent = 0  # tariffs removed: {said}"
    if rate.form == "plain" and not cut:
        return (f"add_points = {rate.number}  # {said}: read as points on top of the current "
                "tariff; if it is the new level, write set_percent instead")
    return (f"add_points = \"{TODO}\"  # {said}: percentage points (add_points), a new level (set_percent) "
            "or a share of the current tariff (scale)?")


def _why_unclear(surface: str) -> str:
    """Why an ``unclear`` figure gives no number: signed ("-25 percent"), a range ("10-25"), or no number."""
    if surface[:1] in SIGNS:
        return "a figure with a minus sign (a cut, or an import subsidy?)"
    if any(a.isdigit() and b in SIGNS and c.isdigit() for a, b, c in zip(surface, surface[1:], surface[2:])):
        return "a range, not one number"
    return "which is no clear number (a typo, or digits grouped by spaces?)"


def _sector_lines(measure: Measure, names: WorldNames, required: bool = False) -> list[str]:
    if measure.sectors == (GOODS,):
        return _goods_lines(names)
    if not measure.sectors:
        return [f"sectors = \"{TODO}\"  # which sectors: the article names no product"] if required else []
    mapped = [names.sector(s) for s in measure.sectors]
    codes = [m.code for m in mapped if m.code]
    missing = "; ".join(m.note for m in mapped if not m.code)
    if not codes:
        return [f"sectors = \"{TODO}\"  # {missing}: choose the nearest sectors of the world"]
    return [f"sectors = {_list(codes)}" + (f"  # also named: {missing}" if missing else "")]


def _goods_lines(names: WorldNames) -> list[str]:
    """All goods: every sector but services (tariffs are on goods)."""
    if names.world is None:
        return ['sectors = "all"  # all goods: on a world with a services sector add except_sectors = ["services"]']
    if "services" in names.world.sector_groups:
        return ['sectors = "all"', 'except_sectors = ["services"]  # all goods: tariffs are not on services']
    return ['sectors = "all"  # all goods (this world has no services sector)']


def _who(key: str, code: str, what: str) -> str:
    if code == ALL_PARTNERS:
        return f'{key} = "all"  # every partner'
    return f"{key} = [\"{TODO}\"]  # {what}: the article does not say" if code == TODO else f"{key} = {_list([code])}"


def _country(iso3: str | None, names: WorldNames) -> str:
    return (names.country(iso3).code or TODO) if iso3 else TODO


def _label(measure: Measure) -> str:
    label = LABELS[measure.status].split(",")[0].capitalize()
    return f"{label} threat" if SUSPENDED_THREAT in measure.notes else label


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_quote(item) for item in items) + "]"


def _quote(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)
