"""Tariff rates written in news text, read exactly as written (never computed or guessed).

Forms recognised (``Rate.form``):

- ``points``: "by 10 percentage points", "10 points", "10-point" -> points added (or removed by a cut);
- ``level``: "to 10 percent", "to 10%", "at 10 percent" -> the new tariff level; "from 25% to 10%"
  also records the old level in ``previous``;
- ``by``: "by 10 percent" -> ambiguous (points, or a share of the current tariff): reported, and
  the draft leaves the choice to the user;
- ``plain``: "25 percent", "25%", "25-percent", "25 per cent" -> a tariff of that size, read as
  points added on top of the current tariff (as with US Section 232 duties);
- ``unclear``: a figure that is no number ("2.5.3 percent", "1 000 percent"), a signed figure ("a -25
  percent tariff": a cut, or a subsidy?) or a range ("10-25 percent"): no value (``value`` is NaN,
  ``number`` ""); the draft writes "TODO" and quotes the figure, sign included;
- ``zero``: "eliminate", "scrap", "abolish", "remove" tariffs, "zero tariffs", "tariff-free",
  "duty-free" -> tariffs to zero (the only number drafted from words).

Numbers (``NUMBER``): digits with an optional decimal part, and comma thousands separators in groups
of three ("1,000", "12,500.5"). A number must stand alone: not touching a letter, digit or
underscore, and not part of a longer dotted or comma-grouped figure, so "2.5.3", "1,0000", "12,34",
".5", "05" and the "000" of "1,000" are no numbers (nothing is read from them, and the draft asks
for the value). Space-grouped figures ("1 000") are refused too: "1 000" may be one number or two,
and a wrong number is worse than a "TODO". ``Rate.number`` is the number exactly as written, less
its thousands separators ("1,000" -> "1000", "1234567" stays "1234567", "2.50" stays "2.50"): that
text, never a float reformatted, is what the draft writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIGNS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash: a signed figure ("-25 percent") or a range ("10-25")
_SIGN = r"\-\u2212\u2013"  # the same inside a regex character class
NUMBER = (rf"(?<![\w.,{_SIGN}])(?!(?<=\d\s)\d{{3}}\b)"  # not inside a word, figure or signed figure, nor "1 000"
          r"((?:[1-9]\d{0,2}(?:,\d{3})+|0|[1-9]\d*)(?:\.\d+)?)"  # 1,000 | 0 | 25, each optionally .5
          r"(?![\w]|[.,]\d)(?!\s\d{3}\b)")  # not followed by more of a figure ("2.5.3", "1,0000", "1 000")
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
# A figure that is no number by the rules above ("2.5.3", "1 000", "05", ".5"), or a signed one or a range
# ("-25", "10-25"; the sign is not dropped, nor one end of a range taken), before a rate word:
# read as form ``unclear`` (no value), so the draft asks for the rate and quotes what the article wrote.
UNCLEAR = re.compile(rf"(?<![\w.,{_SIGN}])[{_SIGN}]?(?:\.\d|\d)[\d.,]*(?:[{_SIGN}]\d[\d.,]*)?"
                     rf"(?:\s\d{{3}}(?!\d)[\d.,]*)*(?:{PERCENT}|{POINTS})", re.IGNORECASE)
ZERO = re.compile(r"\b(eliminat\w*|scrap\w*|abolish\w*|remov\w*|lift\w*|zero)\b[^.;]{0,40}?\b(tariffs?|duties)\b|"
                  r"\b(tariff|duty)[- ]free\b|\bzero[- ]tariffs?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """A rate in the text: ``value`` in percent (points for ``points``), exactly as written.

    ``number`` (and ``previous_number``) is the number as the article writes it, less thousands
    separators: the text the draft copies. ``value`` is the same number as a float, for comparing.
    """

    form: str
    value: float
    surface: str
    start: int
    previous: float | None = None
    number: str = ""
    previous_number: str | None = None

    def __post_init__(self) -> None:
        if not self.number and self.form != "unclear":
            object.__setattr__(self, "number", number_text(self.value))
        if self.previous is not None and self.previous_number is None:
            object.__setattr__(self, "previous_number", number_text(self.previous))


def find_rates(text: str) -> list[Rate]:
    """Every rate in ``text`` in order; each stretch of text is read once, by the most specific form."""
    rates: list[Rate] = []
    taken: list[tuple[int, int]] = []
    for match in FROM_TO.finditer(text):
        old, new = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        rates.append(Rate("level", float(_plain(new)), match.group(), match.start(), previous=float(_plain(old)),
                          number=_plain(new), previous_number=_plain(old)))
        taken.append(match.span())
    for form, pattern in FORMS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            number = _plain(match.group(1))
            rates.append(Rate(form, float(number), match.group(), match.start(), number=number))
            taken.append(match.span())
    for match in UNCLEAR.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            rates.append(Rate("unclear", float("nan"), match.group(), match.start()))
            taken.append(match.span())
    for match in ZERO.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            rates.append(Rate("zero", 0.0, match.group(), match.start(), number="0"))
    return sorted(rates, key=lambda rate: rate.start)


def _plain(written: str) -> str:
    """A number as written, less its thousands separators: "1,000" -> "1000"."""
    return written.replace(",", "")


def number_text(value: float) -> str:
    """A float as short text (``25`` not ``25.0``), for rates built without ``number``; exact up to 17 digits."""
    return f"{value:.17g}" if value != int(value) else str(int(value))
