"""Tariff rates written in news text, read exactly as written (never computed or guessed).

Forms recognised (``Rate.form``):

- ``points``: "by 10 percentage points", "10 points", "10-point" -> points added (or removed by a cut);
- ``level``: "to 10 percent", "to 10%", "at 10 percent" -> the new tariff level; "from 25% to 10%"
  also records the old level in ``previous``;
- ``by``: "by 10 percent" -> ambiguous (points, or a share of the current tariff): reported, and
  the draft leaves the choice to the user;
- ``plain``: "25 percent", "25%", "25-percent", "25 per cent" -> a tariff of that size, read as
  points added on top of the current tariff (as with US Section 232 duties);
- ``zero``: "eliminate", "scrap", "abolish", "remove" tariffs, "zero tariffs", "tariff-free",
  "duty-free" -> tariffs to zero (the only number drafted from words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"(\d+(?:\.\d+)?)"
PERCENT = r"\s*(?:%|-?\s?percent\b|-?\s?per\s?cent\b|-?\s?pct\b)"
POINTS = r"\s*(?:-|\s)?\s*(?:percentage[- ]points?|points?)\b"
FROM_TO = re.compile(rf"\bfrom\s+{NUMBER}{PERCENT}?\s+to\s+{NUMBER}{PERCENT}|"
                     rf"\bto\s+{NUMBER}{PERCENT}\s+from\s+{NUMBER}{PERCENT}", re.IGNORECASE)
FORMS = (
    ("points", re.compile(rf"(?:\bby\s+)?{NUMBER}{POINTS}", re.IGNORECASE)),
    ("level", re.compile(rf"\b(?:to|at)\s+{NUMBER}{PERCENT}", re.IGNORECASE)),
    ("by", re.compile(rf"\bby\s+{NUMBER}{PERCENT}", re.IGNORECASE)),
    ("plain", re.compile(rf"{NUMBER}{PERCENT}", re.IGNORECASE)),
)
ZERO = re.compile(r"\b(eliminat\w*|scrap\w*|abolish\w*|remov\w*|lift\w*|zero)\b[^.;]{0,40}?\b(tariffs?|duties)\b|"
                  r"\b(tariff|duty)[- ]free\b|\bzero[- ]tariffs?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """A rate in the text: ``value`` in percent (points for ``points``), exactly as written."""

    form: str
    value: float
    surface: str
    start: int
    previous: float | None = None


def find_rates(text: str) -> list[Rate]:
    """Every rate in ``text`` in order; each stretch of text is read once, by the most specific form."""
    rates: list[Rate] = []
    taken: list[tuple[int, int]] = []
    for match in FROM_TO.finditer(text):
        old, new = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        rates.append(Rate("level", float(new), match.group(), match.start(), previous=float(old)))
        taken.append(match.span())
    for form, pattern in FORMS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            rates.append(Rate(form, float(match.group(1)), match.group(), match.start()))
            taken.append(match.span())
    for match in ZERO.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            rates.append(Rate("zero", 0.0, match.group(), match.start()))
    return sorted(rates, key=lambda rate: rate.start)


def number_text(value: float) -> str:
    """A rate as the article wrote it: ``25`` not ``25.0``; ``2.5`` stays."""
    return f"{value:g}"
