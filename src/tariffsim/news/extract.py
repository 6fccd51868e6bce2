"""From an article to findings: sentences -> qualifiers -> countries, products, rates -> actions -> measures.

Article-level steps after reading each clause: the *negotiating pair* is the two countries named
most often as parties to negotiations or agreements (first named first); a negotiation that names
fewer than two parties gets the pair; a tariff move that names only one side, that side being one of
the pair, gets the other side of the pair (with a note saying so), and a cut one of the pair proposes to the
other takes the pair's status ("agreed" once they signed an agreement, else "under negotiation"). Actions that describe the same
move (same direction, sectors, in force or not, and no conflicting country or rate; agreements: the
same parties, and sectors named by at most one) are merged into
one ``Measure``: one draft step with every evidence sentence.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from tariffsim.news.actions import classify_clause
from tariffsim.news.conditions import qualifiers
from tariffsim.news.countries import find_countries
from tariffsim.news.findings import AGREED, NEGOTIATING, PROPOSED, Action, Measure, Mention
from tariffsim.news.products import find_products
from tariffsim.news.rates import Rate, find_rates
from tariffsim.news.sentences import split_clauses, split_sentences
from tariffsim.news.text import Article

FAMILY = {"increase": "raise", "threat": "raise", "exemption": "raise", "retaliation": "raise", "cut": "cut",
          "agreement": "agreement", "negotiation": "agreement", "deal": "deal"}


@dataclass(frozen=True)
class Findings:
    """Everything read from one article.

    Attributes:
        article: the text read.
        countries: each country named (ISO3 code), with its first sentence and the forms used.
        products: each product word with its sector code or group, first sentence.
        pair: the negotiating pair (ISO3 codes), or None.
        pair_sentence: the first sentence naming the pair in a negotiation or agreement.
        actions: every action, in article order.
        measures: the actions merged into draft steps.
    """

    article: Article
    countries: tuple[Mention, ...]
    products: tuple[Mention, ...]
    pair: tuple[str, str] | None
    pair_sentence: str
    actions: tuple[Action, ...]
    measures: tuple[Measure, ...]


def sentences_of(article: Article) -> list[str]:
    """The headline, then every body sentence, in order."""
    head = [article.headline] if article.headline else []
    return head + [s for paragraph in article.paragraphs for s in split_sentences(paragraph)]


def read_findings(article: Article) -> Findings:
    """Read countries, products, rates and actions from ``article``, and merge actions into measures."""
    sentences = sentences_of(article)
    actions = [action for sentence in sentences for action in _sentence_actions(sentence)]
    pair, pair_sentence = _pair(actions)
    agreed = any(a.status == AGREED and pair and set(pair) <= set(a.members) for a in actions)
    actions = [_fill_from_pair(action, pair, AGREED if agreed else NEGOTIATING) for action in actions]
    return Findings(
        article=article, countries=_country_mentions(sentences), products=_product_mentions(sentences),
        pair=pair, pair_sentence=pair_sentence, actions=tuple(actions), measures=tuple(_merge(actions)),
    )


def _sentence_actions(sentence: str) -> list[Action]:
    found = qualifiers(sentence)
    text = found.blanked
    countries, products, rates = find_countries(text), find_products(text), find_rates(text)
    actions = []
    for offset, clause in split_clauses(text):
        for action in classify_clause(clause, offset, sentence, countries, products, rates):
            if action.action != "negotiation":
                action = dataclasses.replace(action, conditions=found.conditions)
            if action.lowers_tariffs:
                action = dataclasses.replace(action, limit=found.limit)
            if action.action == "negotiation":
                action = dataclasses.replace(action, sectors=())
            actions.append(action)
    return actions


def _pair(actions: list[Action]) -> tuple[tuple[str, str] | None, str]:
    talks = [a for a in actions if a.kind == "agreement" and len(a.members) >= 2]
    counts = Counter(m for a in talks for m in a.members)
    top = [code for code, _ in counts.most_common(2)]
    if len(top) < 2:
        return None, ""
    sentence = next(a.sentence for a in talks if set(top) <= set(a.members))
    first = next(a.members for a in talks if set(top) <= set(a.members))
    return (top[0], top[1]) if first.index(top[0]) < first.index(top[1]) else (top[1], top[0]), sentence


def _fill_from_pair(action: Action, pair: tuple[str, str] | None, pair_status: str) -> Action:
    if pair is None:
        return action
    if action.kind == "agreement":
        if len(action.members) < 2:
            return dataclasses.replace(action, members=pair, notes=(*action.notes, "parties: the negotiating pair"))
        return action
    other = {pair[0]: pair[1], pair[1]: pair[0]}
    if action.imposer is None and action.target in other:
        action = dataclasses.replace(action, imposer=other[action.target],
                                     notes=(*action.notes, "imposer: the other side of the negotiating pair"))
    if action.target is None and action.imposer in other:
        action = dataclasses.replace(action, target=other[action.imposer],
                                     notes=(*action.notes, "target: the other side of the negotiating pair"))
    if action.status == PROPOSED and {action.imposer, action.target} == set(pair):
        action = dataclasses.replace(action, status=pair_status)
    return action


def _merge(actions: list[Action]) -> list[Measure]:
    groups: list[list[Action]] = []
    for action in actions:
        home = next((g for g in groups if _same_move(Measure(tuple(g)), action)), None)
        if home is None:
            groups.append([action])
        else:
            home.append(action)
    return [Measure(tuple(group)) for group in groups]


def _same_move(measure: Measure, action: Action) -> bool:
    first = measure.first
    if FAMILY[first.action] != FAMILY[action.action] or measure.in_force != Measure((action,)).in_force:
        return False
    if action.kind == "agreement":
        return set(measure.members) == set(action.members) and _agree(measure.sectors or None, action.sectors or None)
    if measure.sectors != action.sectors:
        return False
    return all(_agree(getattr(measure, field), getattr(action, field)) for field in ("imposer", "target")) and _agree(
        _rate_key(measure.rate), _rate_key(action.rate))


def _rate_key(rate: Rate | None) -> tuple[str, float | str, float | None] | None:
    """A rate by what it says ("25%" and "25 percent" are the same rate)."""
    if rate is None:
        return None
    return (rate.form, rate.surface if rate.form == "unclear" else rate.value, rate.previous)


def _agree(a: object, b: object) -> bool:
    return a is None or b is None or a == b


def _country_mentions(sentences: list[str]) -> tuple[Mention, ...]:
    seen: dict[str, tuple[list[str], str]] = {}
    for sentence in sentences:
        for mention in find_countries(sentence):
            forms, _ = seen.setdefault(mention.iso3, ([], sentence))
            if mention.surface not in forms:
                forms.append(mention.surface)
    return tuple(Mention("country", ", ".join(forms), code, sentence) for code, (forms, sentence) in seen.items())


def _product_mentions(sentences: list[str]) -> tuple[Mention, ...]:
    seen: dict[str, Mention] = {}
    for sentence in sentences:
        for product in find_products(sentence):
            seen.setdefault(product.surface.lower(), Mention("product", product.surface, product.sector, sentence))
    return tuple(seen.values())
