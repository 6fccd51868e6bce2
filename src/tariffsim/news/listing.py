"""The findings as a list of items (one per country, pair, action, product and rate), for tables and JSON.

Every item has the same keys: ``kind``, ``found`` (what the article says), ``code`` (the world's
codes it maps to), ``note`` (status, conditions, limits, how a role was filled, what the world
lacks) and ``sentence`` (the evidence).
"""

from __future__ import annotations

from tariffsim.news.countries import country_name
from tariffsim.news.extract import Findings
from tariffsim.news.findings import Action
from tariffsim.news.world_names import WorldNames

KEYS = ("kind", "found", "code", "note", "sentence")


def finding_items(findings: Findings, names: WorldNames) -> list[dict[str, str]]:
    """One dict per finding, in the order: pair, countries, actions, products, rates."""
    items = []
    if findings.pair:
        codes = [names.country(c).code or c for c in findings.pair]
        items.append(_item("negotiating pair", " - ".join(country_name(c) for c in findings.pair),
                           ", ".join(codes), "", findings.pair_sentence))
    for mention in findings.countries:
        mapped = names.country(mention.code)
        items.append(_item("country", mention.surface, mapped.code or "", _join(f"ISO3 {mention.code}", mapped.note),
                           mention.sentence))
    items += [_action_item(action, names) for action in findings.actions]
    for mention in findings.products:
        mapped = names.sector(mention.code)
        items.append(_item("product", mention.surface, mapped.code or "", mapped.note, mention.sentence))
    for action in findings.actions:
        if action.rate is not None:
            rate = action.rate
            items.append(_item("rate", rate.surface, rate.number or "?", f"form: {rate.form}"
                               + (f"; from {rate.previous_number}" if rate.previous_number is not None else ""), action.sentence))
    return items


def _action_item(action: Action, names: WorldNames) -> dict[str, str]:
    def code(iso3: str | None) -> str:
        return (names.country(iso3).code or iso3) if iso3 else "?"

    sectors = ", ".join(names.sector(s).code or s for s in action.sectors)
    if action.kind == "agreement":
        who = " + ".join(code(m) for m in action.members)
    else:
        who = f"{code(action.imposer)} on {code(action.target)}"
    notes = [action.status, *(f"condition: {c}" for c in action.conditions)]
    notes += [f"limit: {action.limit}"] if action.limit else []
    notes += list(action.notes)
    return _item(f"action: {action.action}", ", ".join(action.products) or action.action,
                 f"{who} {sectors}".strip(), "; ".join(notes), action.sentence)


def _item(kind: str, found: str, code: str, note: str, sentence: str) -> dict[str, str]:
    return dict(zip(KEYS, (kind, found, code, note, sentence), strict=True))


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
