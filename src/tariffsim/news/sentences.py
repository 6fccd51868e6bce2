"""Split paragraphs into sentences, and sentences into clauses, with plain rules (no model).

Sentences end at ``.``, ``!`` or ``?`` (and any closing quote or bracket) followed by a space and
a capital, a digit or an opening quote, except after abbreviations common in news text ("U.S.",
"Sept.", "Mr.", "No."). Clauses split a sentence where news prose joins two statements: at ``;``,
before "while", "but", "whereas", "after", "before", "as", "and" following a comma, before "as" and a capital, and before a
comma-led "-ing" phrase ("Japan, US to enter talks, shelving tariffs").
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset({
    "u.s", "u.k", "u.n", "e.u", "u.s.a", "mr", "mrs", "ms", "dr", "prof", "gen", "gov", "sen", "rep",
    "st", "no", "vs", "inc", "corp", "co", "ltd", "jr", "sr", "e.g", "i.e", "etc", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?=(?:while|but|whereas|after|before|as|and|although|though)\b)|"
    r"\s+(?=(?:while|whereas)\s)|\s+(?=as\s+[A-Z])|,\s+(?=[a-z]+ing\b)",
)


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, stripped, in order."""
    sentences, start = [], 0
    for match in BOUNDARY.finditer(paragraph):
        word = re.search(r"([\w.]+)[.!?]$", paragraph[start:match.start() + 1])
        if word and word.group(1).lower().rstrip(".") in ABBREVIATIONS:
            continue
        sentences.append(paragraph[start:match.end()].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_clauses(sentence: str) -> list[tuple[int, str]]:
    """(offset, text) of each clause of a sentence; offsets index into the sentence."""
    clauses, start = [], 0
    for match in CLAUSE_BREAK.finditer(sentence):
        if sentence[start:match.start()].strip():
            clauses.append((start, sentence[start:match.start()]))
        start = match.end()
    clauses.append((start, sentence[start:]))
    return [(offset, text) for offset, text in clauses if text.strip()]
