"""Resolve user-facing names (codes, long names, groups) to indices, with suggestions on failure."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from tariffsim.errors import UnknownFieldError, UnknownNameError


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """A ' Did you mean ...?' phrase naming the closest candidates, or '' when none is close."""
    pool = list(dict.fromkeys(candidates))
    lowered: dict[str, str] = {}
    for candidate in pool:
        lowered.setdefault(candidate.lower(), candidate)  # the first spelling (the code) wins
    close = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(lowered[c]) for c in close) + "?"


def refuse_unknown_fields(owner: str, given: Iterable[str], fields: Sequence[str]) -> None:
    """UnknownFieldError naming the keywords in ``given`` that are not ``fields`` of ``owner`` (e.g. "World")."""
    unknown = [name for name in given if name not in fields]
    if unknown:
        raise UnknownFieldError(f"{owner} has no field(s) {unknown}.{suggest(unknown[0], fields)} "
                                f"Its fields: {', '.join(fields)}.")


def name_index(
    kind: str,
    codes: Sequence[str],
    names: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Map every lower-cased code, long name and alias to its position in ``codes``."""
    index: dict[str, int] = {}
    for position, (code, name) in enumerate(zip(codes, names, strict=True)):
        index.setdefault(code.lower(), position)
        index.setdefault(name.lower(), position)
    for alias, code in (aliases or {}).items():
        if code.lower() in index:
            index.setdefault(alias.lower(), index[code.lower()])
    return index


def resolve(kind: str, name: str, index: Mapping[str, int], codes: Sequence[str],
            names: Sequence[str] = ()) -> int:
    """Position of ``name`` (code, long name or alias, any case); UnknownNameError suggesting codes or names."""
    position = index.get(str(name).strip().lower())
    if position is None:
        raise UnknownNameError(
            f"unknown {kind} {name!r}.{suggest(str(name), [*codes, *names])}"
            f" Known {kind} codes: {', '.join(codes)}."
        )
    return position
