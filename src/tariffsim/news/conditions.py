"""Conditions and limits attached to a stated action, cut out of the sentence before it is classified.

A condition says when the action holds ("as long as trade negotiations are under way", "until ...",
"unless ...", "if ...", "while talks continue", "for now", "for 90 days", "a 90-day pause"); a limit caps a concession ("will not make bigger
concessions than those already agreed to under ... the Trans-Pacific Partnership"). Both are
reported with the action; their words are blanked from the sentence (offsets kept) so that the
countries and verbs inside them ("the United States has withdrawn") are not read as the action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONDITION = re.compile(
    r"\b(?:as long as|so long as|until|unless|if|provided(?: that)?|on (?:the )?condition(?: that)?|pending|"
    r"(?:while|during) (?:the )?(?:trade |bilateral )?(?:talks|negotiations))\b[^,;.]*|"
    r"\bfor (?:now|the time being)\b|"
    r"\bfor (?:\d+|a|one|two|three|six|several) (?:more )?(?:days?|weeks?|months?|years?)\b|\b\d+-(?:day|week|month)\b",
    re.IGNORECASE,
)
LIMIT = re.compile(
    r"\b(?:not|no|never)\b[^.;]{0,60}?\b(?:bigger|more|deeper|larger|further|greater)\b[^.;]{0,40}?\bthan\b[^;]*|"
    r"\bbeyond (?:those|the levels?|what)\b[^;]*",
    re.IGNORECASE,
)
COMPARISON = re.compile(r"\bthan\b|\bbeyond\b", re.IGNORECASE)


@dataclass(frozen=True)
class Qualifiers:
    """The conditions and limit of one sentence, and the sentence with their words blanked."""

    conditions: tuple[str, ...]
    limit: str
    blanked: str


def qualifiers(sentence: str) -> Qualifiers:
    """Conditions and limit of ``sentence``; ``blanked`` keeps offsets (blanked words become spaces).

    A limit keeps its head ("not make bigger concessions") in the text to classify, so the
    concession is still read; only the comparison ("than those ...") is blanked.
    """
    blanked = sentence
    conditions = []
    for match in CONDITION.finditer(sentence):
        conditions.append(_tidy(match.group()))
        blanked = _blank(blanked, match.start(), match.end())
    limit = ""
    found = LIMIT.search(blanked)
    if found:
        limit = _tidy(sentence[found.start():found.end()])
        comparison = COMPARISON.search(blanked, found.start())
        blanked = _blank(blanked, comparison.start() if comparison else found.start(), found.end())
    return Qualifiers(tuple(conditions), limit, blanked)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _tidy(phrase: str) -> str:
    return phrase.strip().rstrip(".,;\"'”’ ").strip()
