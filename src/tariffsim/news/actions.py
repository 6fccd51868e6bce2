"""Classify one clause of a news sentence into trade-policy actions, with who does what to whom.

The seven actions (``tariffsim.news.findings.ACTIONS``) are recognised from verb and noun cues,
only in clauses about tariffs or trade deals (a cue word such as "tariffs", "duties", "trade talks",
"free trade agreement", "concessions"; a tariff move needs a tariff word in its sentence, so "exports
rose 3 percent" is no increase):

===============  =====================================================================================
action           cues (in the order they are tried)
===============  =====================================================================================
exemption        exempt, spare, shelve, suspend, postpone, delay, hold off, avoid, waive, pause, reprieve
negotiation      negotiate, negotiations, talks
retaliation      retaliate, countermeasures, hit back, counter-tariffs, tit-for-tat
agreement        (free) trade agreement / deal / pact / area, FTA;   "agreed to" a cut with no single target
cut              cut, lower, reduce, slash, eliminate, scrap, remove, lift, concession(s), open markets
threat           threaten, threat; or an increase with potential, could / would / may / might, warn, consider, plan,
                 propose, vow
increase         impose, raise, rise, hike, slap, levy, increase, higher / new / additional / punitive
                 tariffs; reciprocal tariff, baseline (tariff), Section 232 tariffs, took / takes effect,
                 went into effect; not a tariff said to be in place already ("currently levies")
deal             a deal, agreement, pact or truce that sets a tariff level ("the deal sets a 15% tariff on
                 Japanese goods"), with a rate in the clause: tried before the others
===============  =====================================================================================

The 2025 vocabulary: "reciprocal tariff" and "baseline 10%" are increases ("took effect", "take effect on
April 9": in force or announced by tense); "Section 232" (and "Section 301", "IEEPA") stands for the US
as the imposer (``countries.LAWS``); "paused for 90 days" is an exemption with the condition "for 90
days"; "deal sets 15%" is a ``deal``: the level written as ``set_percent``.

All partners, all goods: a tariff "on imports from all countries", "on all imported cars", "on every
trading partner" names no country: its target is ``ALL_PARTNERS`` (the draft writes exporters = "all").
A reciprocal or baseline tariff, a deal, or a tariff "on all imports" / "all goods" that names no product
covers all goods: its sector is ``GOODS`` (the draft writes every sector but services).

Status: increases and retaliation are "in force" unless a threat cue makes them "threatened" or the
future tense ("will impose", "is to raise", "set to take effect") or a start dated in the future in any
tense ("Starting next week, the US imposes", "tomorrow", "from Monday") makes them
"announced"; an exemption is "suspended"; a cut is "in force" when stated as done (past tense, no
modal, no future date) and "proposed" otherwise; an agreement is "agreed" when signed, concluded or reached, "under
negotiation" otherwise; a negotiation is "under negotiation".

Roles: the *target* (whose goods) is a country after "on", "against" or "from", a demonym before a
product or "goods"/"exports"/"imports" ("Japanese auto exports"), or the subject of a passive
exemption ("Japan will be exempted"); the *imposer* is a country just before "tariffs"/"duties"
("U.S. tariffs", "China's tariffs") or else the nearest other country before the cue word.
"""

from __future__ import annotations

import re

from tariffsim.news.countries import CountryMention
from tariffsim.news.findings import (
    AGREED, ALL_PARTNERS, ANNOUNCED, GOODS, IN_FORCE, NEGOTIATING, PROPOSED, SUSPENDED, SUSPENDED_THREAT,
    THREATENED, Action,
)
from tariffsim.news.products import ProductMention
from tariffsim.news.rates import Rate


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})", re.IGNORECASE)


TRADE_CONTEXT = _cue(r"tariffs?\b|dut(y|ies)\b|levies\b|levy\b|import tax|customs\b|trade (talks|negotiations|"
                     r"agreement|deal|pact)|free[- ]trade|FTA\b|concessions?\b|market access|goods\b")
TARIFF = _cue(r"tariffs?\b|dut(y|ies)\b|levies\b|levy\b|import tax|customs\b|concessions?\b|market access|"
              r"counter-?measures?")
CUES = (
    ("exemption", _cue(r"exempt\w*|spar(e|ed|ing)\b|shelv\w*|suspen\w*|postpon\w*|delay\w*|hold(s|ing)? off|"
                       r"held off|put on hold|avoid\w*|waiv\w*|paus\w*|reprieve")),
    ("negotiation", _cue(r"negotiat\w*|talks\b")),
    ("retaliation", _cue(r"retaliat\w*|counter-?measures?|hit(s|ting)? back|strik(e|es|ing) back|"
                         r"counter-?tariffs?|tit-for-tat")),
    ("agreement", _cue(r"(free[- ]trade|trade) (agreement|deal|pact|area|zone)s?|FTA\b|"
                       r"agreed to (cut|lower|reduce|eliminate|remove|scrap)")),
    ("cut", _cue(r"cut(s|ting)?\b|lower(s|ed|ing)?\b|reduc\w*|slash\w*|eliminat\w*|scrap\w*|abolish\w*|"
                 r"remov\w*|lift(s|ed|ing)?\b|concessions?\b|open\w* (up )?(its |their )?markets?")),
    ("threat", _cue(r"threat\w*")),
    ("increase", _cue(r"impos\w*|rais(e|es|ed|ing)\b|ris(e|es|ing)\b|rose\b|hik\w*|slap\w*|lev(y|ies|ied)\b|"
                      r"increas\w*|higher|"
                      r"new tariffs|additional|extra|punitive|reciprocal tariffs?\b|baseline\b|"
                      r"section 232 (tariffs?|duties)|(took|takes?|taking) effect|(went|goes|go|going) into effect|"
                      r"(came|comes?|coming) into force|kick(s|ed)? in\b")),
)
DEAL = _cue(r"(deal|agreement|pact|accord|truce)s?\b[^.;]{0,60}?\b(sets?|setting|caps?|capping|fix(es|ing)?)\b")
DEAL_PROPOSED = _cue(r"would|could|may\b|might|propos\w*|offer\w*")
ALL_PARTNERS_CUE = _cue(r"(imports|goods|products) from (all|every)\b|all (imported|foreign)\b|all imports\b|"
                        r"(all|every) (countr(y|ies)|(trading )?partners?|nations?)\b")
ALL_GOODS = _cue(r"(all|every) (imported |foreign )?(goods|imports|products)\b|imports from (all|every)\b|"
                 r"reciprocal tariffs?\b|baseline\b")
GOODS_WORD = _cue(r"goods|imports|products|exports")
THREAT = _cue(r"threat\w*|potential|could|would|may\b|might|warn\w*|consider\w*|plan(s|ned)? to|propos\w*|"
              r"vow\w*|mull\w*")
WEEKDAYS = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# A start dated in the future, whatever the tense ("Starting next week, the US imposes ..."): "next week",
# "tomorrow", "later this month", or "starting / beginning / effective / as of / from" a weekday. Not "in two
# weeks" ("imports fell 10 percent in two weeks") nor a calendar date (past or future: the article's date is
# not known).
FUTURE_DATE = _cue(rf"next (week|month|year|{WEEKDAYS})\b|tomorrow\b|later this (week|month|year)\b|"
                   rf"(starting|beginning|effective|as of|from) (on )?(this )?{WEEKDAYS}\b")
FUTURE = _cue(r"will\b|shall\b|'ll\b|(is|are) (set |due |going )?to\b|(is|are) expected to\b|from next\b|"
              r"(takes?|taking) effect (on|from|next|in)\b")
MODAL = _cue(r"will|would|could|may\b|might|plan\w*|propos\w*|offer\w*|concessions?|to (cut|lower|reduce)")
CONCLUDED = _cue(r"sign\w*|conclud\w*|reached|struck|clinch\w*|ratif\w*|took effect|entered into force|in force|"
                 r"agreed to")
CURRENT = _cue(r"currently|already|existing|now charges|charges")
PASSIVE_EXEMPTION = _cue(r"(be|been|is|are|was|were|being|get|got|won|win|secured?)\s+(an?\s+)?(exempt\w*|spared|"
                         r"reprieve)")
DATE_WORDS = (r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
              r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|\d")
# "on X" names whose goods, but not "On Tuesday the United States ..." (a date).
TARGET_BEFORE = re.compile(rf"\b(on(?!\s+(?:{DATE_WORDS}))|against|from|exempt\w*)\b"
                           r"(?:(?!\b(by|with|and|said|says)\b)[^,;\"])*$", re.IGNORECASE)
ORIGIN_AFTER = re.compile(r"^(?:'s)?\s+(?:[\w-]+\s+){0,2}?(goods|exports?|imports?|products|producers|makers|"
                          r"companies|firms|shipments)\b", re.IGNORECASE)
IMPOSER_AFTER = re.compile(r"^(?:'s)?\s+(?:[\w-]+\s+){0,2}?(tariffs?|duties|levies)\b", re.IGNORECASE)
IMPORTS_INTO = re.compile(r"\bimports? (into|to)\s*$", re.IGNORECASE)


def classify_clause(clause: str, offset: int, sentence: str, countries: list[CountryMention],
                    products: list[ProductMention], rates: list[Rate]) -> list[Action]:
    """The actions stated in ``clause`` (which starts at ``offset`` in ``sentence``).

    ``countries``, ``products`` and ``rates`` are those of the whole (blanked) sentence; offsets
    index into it. One action per clause, split by rate when several rates go with several products.
    """
    if not TRADE_CONTEXT.search(clause) and not products:
        return []
    found = next(((name, match) for name, cue in CUES if (match := cue.search(clause))), None)
    deal = DEAL.search(clause)
    if deal and any(r.form in ("level", "plain") for r in rates if offset <= r.start < offset + len(clause)):
        found = ("deal", deal)
    if found is None:
        return []
    action, cue = found
    if action not in ("agreement", "negotiation") and not TARIFF.search(sentence):
        return []
    end = offset + len(clause)
    inside = [c for c in countries if offset <= c.start < end]
    wares = [p for p in products if offset <= p.start < end]
    stated = [r for r in rates if offset <= r.start < end]
    if action == "increase" and CURRENT.search(clause):
        return []
    if action == "increase" and THREAT.search(clause):
        action = "threat"
    if action == "agreement" and _single_target(clause, inside, offset):
        action = "cut"
    status = _status(action, clause)
    if action in ("agreement", "negotiation"):
        members = tuple(dict.fromkeys(c.iso3 for c in (inside if len(inside) >= 2 else countries)))
        return [Action(action, status, sentence, members=members, sectors=_sectors(wares),
                       products=tuple(p.surface for p in wares), rate=stated[0] if stated else None)]
    imposer, target = _roles(clause, offset, offset + cue.start(), inside, wares, action)
    if target is None and ALL_PARTNERS_CUE.search(clause):
        target = ALL_PARTNERS
    notes = (SUSPENDED_THREAT,) if action == "exemption" and (THREAT.search(clause) or "higher" in clause) else ()
    goods = not wares and (ALL_GOODS.search(clause) or (action == "deal" and GOODS_WORD.search(clause)))
    return [Action(action, status, sentence, imposer=imposer, target=target,
                   sectors=(GOODS,) if goods else _sectors(group),
                   products=tuple(p.surface for p in group), rate=rate, notes=notes)
            for rate, group in _pair_rates(stated, wares)]


def _status(action: str, clause: str) -> str:
    if action == "deal":
        return PROPOSED if DEAL_PROPOSED.search(clause) else AGREED
    if action == "exemption":
        return SUSPENDED
    if action == "negotiation":
        return NEGOTIATING
    if action == "agreement":
        return AGREED if CONCLUDED.search(clause) else NEGOTIATING
    if action == "cut":
        return PROPOSED if MODAL.search(clause) or FUTURE_DATE.search(clause) else IN_FORCE
    if action == "threat" or THREAT.search(clause):
        return THREATENED
    return ANNOUNCED if FUTURE.search(clause) or FUTURE_DATE.search(clause) else IN_FORCE


def _single_target(clause: str, inside: list[CountryMention], offset: int) -> bool:
    """'Japan agreed to cut tariffs on US beef' is a cut by one side, not an agreement."""
    return "agreed to" in clause.lower() and any(_is_target(clause, c, offset, [], "cut") for c in inside)


def _roles(clause: str, offset: int, cue_at: int, inside: list[CountryMention], wares: list[ProductMention],
           action: str) -> tuple[str | None, str | None]:
    targets = [c for c in inside if _is_target(clause, c, offset, wares, action)]
    passive = action == "exemption" and PASSIVE_EXEMPTION.search(clause)
    if passive:
        targets += [c for c in inside if c.start < cue_at and c not in targets][-1:]
    imposers = [c for c in inside if c not in targets and (IMPOSER_AFTER.match(clause[c.end - offset:])
                                                          or IMPORTS_INTO.search(clause[:c.start - offset]))]
    if not imposers:
        taxed = {c.iso3 for c in targets}
        before = [c for c in inside if c.start < cue_at and c not in targets and c.iso3 not in taxed]
        imposers = before[-1:]
    target = targets[0].iso3 if targets else None
    imposer = next((c.iso3 for c in imposers if c.iso3 != target), None)
    return imposer, target


def _is_target(clause: str, country: CountryMention, offset: int, wares: list[ProductMention],
               action: str) -> bool:
    """Whose goods: 'on X', 'against X', 'from X', 'X goods', 'Japanese cars'; 'X tariffs' is the imposer,
    except in a retaliation against them."""
    if country.kind == "law":  # "under Section 232": the US levies
        return False
    before, after = clause[:country.start - offset], clause[country.end - offset:]
    if IMPOSER_AFTER.match(after):
        return action == "retaliation" and bool(re.search(r"\b(against|to)\s*$", before))
    origin = country.kind == "demonym" and (
        ORIGIN_AFTER.match(after) or any(0 <= p.start - country.end <= 1 for p in wares))
    return bool(TARGET_BEFORE.search(before) or origin)


def _sectors(products: list[ProductMention]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.sector for p in products))


def _pair_rates(rates: list[Rate], products: list[ProductMention]) -> list[tuple[Rate | None, list[ProductMention]]]:
    """Products grouped by their rate: each product takes the nearest rate before it (else after)."""
    if len(rates) <= 1 or len(products) <= 1:
        return [(rates[0] if rates else None, products)]
    groups: dict[int, list[ProductMention]] = {}
    for product in products:
        before = [r for r in rates if r.start < product.start]
        rate = before[-1] if before else rates[0]
        groups.setdefault(rates.index(rate), []).append(product)
    return [(rates[i], group) for i, group in sorted(groups.items())]
