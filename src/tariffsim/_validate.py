"""Checks that arrays can describe a world economy; one list of problems, located by the caller.

The same checks serve the ``World`` constructor (which names countries and sectors) and the file
readers (which name file, row and column through a ``locate`` callback), so a rule is written once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# A cell is ("trade" | "tariff", i, j, s), ("sigma", s), ("country", i) or ("sector", s).
Cell = tuple


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: what, where (a cell), the offending value and the fix."""

    what: str
    cell: Cell | None
    value: object
    fix: str


Locate = Callable[[Cell], str]

MAX_LISTED = 5

# Beyond this the float64 arithmetic of a solve (flows times hats to the power sigma) overflows. There is
# no cap on the relative range of the flows: worlds derived from equilibria (prohibitive tariffs, gravity
# draws far from the estimate) legitimately span up to 1e55 and solve; absolute size is what overflows.
MAX_FLOW = 1e200
# A tariff of 1e6 (100,000,000%) already stops all trade in any model; larger ones only risk overflow.
MAX_TARIFF = 1e6
# A country whose sales are K times its purchases (or the reverse) has net exports of nearly all of the
# larger side, so the smaller one (spending = income - net exports, or income = spending + net exports)
# is a difference of large numbers and keeps about 16 - log10(K) digits in float64. Above this factor its
# results would be rounding noise that still passes a relative residual check (one flow of 1e18 in a world
# of 1e4 gave "verified" welfare changes of 0.49%, -1.19% and 7.79% for 1e18, 1e19 and 1e20). Real worlds
# stay far below it: the largest factor in the shipped data is 9.1 (MHL in ilms2025), 1.25 in ICIO 2022.
MAX_IMBALANCE_FACTOR = 1e8


def _power(x: float) -> str:
    """1e6 for 1e6 (rather than Python's 1e+06)."""
    return f"1e{round(np.log10(x))}"


def shape_problems(
    trade: np.ndarray,
    tariffs: np.ndarray,
    sigma: np.ndarray,
    countries: Sequence[str],
    sectors: Sequence[str],
) -> list[Problem]:
    """Shape and name problems; when any is found the value checks cannot run."""
    problems: list[Problem] = []
    n, s = len(countries), len(sectors)
    for label, array, expected in (
        ("trade flows X[i, j, s]", trade, (n, n, s)),
        ("tariffs t[i, j, s]", tariffs, (n, n, s)),
        ("elasticities sigma[s]", sigma, (s,)),
    ):
        if array.shape != expected:
            problems.append(
                Problem(
                    f"shape mismatch: {label} has shape {array.shape}, expected {expected}"
                    f" for {n} countries and {s} sectors",
                    None,
                    array.shape,
                    "give one value per exporter, importer and sector (and one sigma per sector)",
                )
            )
    for kind, names in (("country", countries), ("sector", sectors)):
        for name, count in Counter(names).items():
            if count > 1:
                problems.append(
                    Problem(f"duplicate {kind} code {name!r} ({count} times)", None, name,
                            f"give every {kind} a unique code")
                )
        for position, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                problems.append(
                    Problem(f"empty {kind} code at position {position + 1}", None, name,
                            f"give every {kind} a non-empty code")
                )
    if n == 0 or s == 0:
        problems.append(Problem("a world needs at least one country and one sector", None, (n, s),
                                "check that the files are not empty"))
    return problems


def value_problems(trade: np.ndarray, tariffs: np.ndarray, sigma: np.ndarray) -> list[Problem]:
    """Problems with values, for arrays already known to have consistent shapes."""
    problems: list[Problem] = []

    def cells(kind: str, mask: np.ndarray, array: np.ndarray, what: str, fix: str) -> None:
        for index in zip(*np.nonzero(mask)):
            index = tuple(int(k) for k in index)
            problems.append(Problem(what, (kind, *index), array[index].item(), fix))

    cells("trade", np.isnan(trade), trade, "trade flow is missing (NaN)",
          "fill the cell; write 0 for no trade")
    cells("trade", trade < 0, trade, "trade flow is negative", "trade flows must be >= 0")
    cells("trade", np.isinf(trade), trade, "trade flow is infinite", "use a finite value")
    cells("tariff", np.isnan(tariffs), tariffs, "tariff is missing (NaN)",
          "fill the cell; write 0 for no tariff")
    cells("tariff", tariffs <= -1, tariffs, "tariff is -100% or lower",
          "tariffs are fractions (0.25 = 25%) and must be above -1")
    cells("tariff", np.isinf(tariffs), tariffs, "tariff is infinite",
          "use a large finite tariff (e.g. 100 = 10,000%) for a prohibitive one")
    with np.errstate(invalid="ignore", over="ignore"):
        finite_trade, finite_tariffs = np.isfinite(trade), np.isfinite(tariffs)
        cells("trade", finite_trade & (trade > MAX_FLOW), trade,
              f"trade flow is too large to compute with (above {_power(MAX_FLOW)})",
              "check the value and its units (a typo or a unit slip?); rescale all flows to smaller units")
        cells("tariff", finite_tariffs & (tariffs > MAX_TARIFF), tariffs,
              f"tariff is absurdly high (above {_power(MAX_TARIFF)} = 100,000,000%)",
              f"a tariff of {_power(MAX_TARIFF)} is already prohibitive: use {_power(MAX_TARIFF)} (or less) instead")
        overflows = (finite_trade & finite_tariffs & (tariffs <= MAX_TARIFF) & (trade <= MAX_FLOW)
                     & ~(np.abs((1 + tariffs) * trade) <= MAX_FLOW))
        # Blame the flow when its tariff is an ordinary one (at most 10,000%), else the tariff.
        ordinary = tariffs <= 100
        cells("trade", overflows & ordinary, trade,
              f"trade flow with its tariff, (1 + t) * X, overflows (above {_power(MAX_FLOW)})",
              "check the value and its units (a typo or a unit slip?); rescale all flows to smaller units")
        cells("tariff", overflows & ~ordinary, tariffs,
              f"tariff-inclusive flow (1 + t) * X of this cell overflows (above {_power(MAX_FLOW)})",
              "lower the tariff (a tariff of 1e6 is already prohibitive) or rescale the flows")
    own = np.zeros_like(tariffs, dtype=bool)
    idx = np.arange(tariffs.shape[0])
    own[idx, idx, :] = tariffs[idx, idx, :] != 0
    cells("tariff", own, tariffs, "own (domestic) tariff is not zero",
          "a country does not tax its own goods: set t[i, i, s] to 0")
    sigma_bad = np.isnan(sigma) | (sigma <= 1)
    for s in np.nonzero(sigma_bad)[0]:
        problems.append(
            Problem("elasticity of substitution must be a number above 1", ("sigma", int(s)),
                    sigma[s].item(), "use sigma > 1 (trade elasticity sigma - 1 > 0)")
        )
    if not problems:
        # A country may lack domestic sales (ILMS 2025's GMB and MHL buy only imports) but must sell and
        # buy something: with no sales its wage, with no purchases its price index, is undefined.
        for flows, what in ((trade.sum(axis=(1, 2)), "sells nothing (every flow X[i, :, s] it ships is 0)"),
                            (trade.sum(axis=(0, 2)), "buys nothing (every flow X[:, i, s] it receives is 0)")):
            for i in np.nonzero(flows <= 0)[0]:
                problems.append(Problem(f"country {what}", ("country", int(i)), 0.0,
                                        "a country in the model must sell and buy: add its flows, or merge or "
                                        "drop the country"))
    if not problems:
        problems += _imbalance_problems(trade)
    return problems


def _imbalance_problems(trade: np.ndarray) -> list[Problem]:
    """Countries whose sales and purchases (n x n x s flows, summed) differ by more than
    MAX_IMBALANCE_FACTOR, each located at its largest flow on the larger side (the likely slip)."""
    sales, purchases = trade.sum(axis=(1, 2)), trade.sum(axis=(0, 2))
    factor = np.maximum(sales, purchases) / np.minimum(sales, purchases)
    problems = []
    for i in np.nonzero(factor > MAX_IMBALANCE_FACTOR)[0]:
        selling = sales[i] > purchases[i]
        side = trade[i] if selling else trade[:, i]
        j, s = np.unravel_index(int(np.argmax(side)), side.shape)
        cell = ("trade", int(i), int(j), int(s)) if selling else ("trade", int(j), int(i), int(s))
        digits = max(0, round(16 - np.log10(factor[i])))
        who, big, small = ("exporter", "sales", "purchases") if selling else ("importer", "purchases", "sales")
        problems.append(Problem(
            f"the {who}'s {big} ({sales[i] if selling else purchases[i]:.4g}) are {factor[i]:.3g} times its "
            f"{small} ({purchases[i] if selling else sales[i]:.4g}): its {small} may keep as few as {digits} "
            f"digits in float64, so its results could be rounding noise; its largest {big[:-1]} is this flow",
            cell, trade[cell[1:]].item(),
            f"check this flow and its units (a typo or a unit slip?); real economies' sales and purchases "
            f"differ by far less than {_power(MAX_IMBALANCE_FACTOR)} times"))
    return problems


def describe(problems: list[Problem], locate: Locate, header: str) -> str:
    """One message listing up to MAX_LISTED problems, each with location, value and fix."""
    lines = [f"{header}: {len(problems)} problem(s) found"]
    for problem in problems[:MAX_LISTED]:
        where = f" at {locate(problem.cell)}" if problem.cell is not None else ""
        lines.append(f"  - {problem.what}{where} (value: {problem.value!r}); fix: {problem.fix}")
    if len(problems) > MAX_LISTED:
        lines.append(f"  ... and {len(problems) - MAX_LISTED} more")
    return "\n".join(lines)
