"""Coefficient tables in the layout of regression papers (and of Yotov et al. 2016, ch. 1).

``compare({"OLS": r1, "PPML": r2})`` gives one column per model: the estimate, then its standard
error in parentheses on the next row, then the number of observations. The same frame renders as
rich text (``render``) and LaTeX (``coefficient_latex``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from tariffsim.gravity.estimate import GravityResult


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def compare(
    results: Mapping[str, GravityResult],
    terms: Sequence[str] | None = None,
    digits: int = 3,
) -> pd.DataFrame:
    """Side-by-side table: rows ``term`` and ``term (se)`` for each term, then ``N``; one column per model.

    results  label -> estimated model (column order is the mapping's order)
    terms    row order; default: every term in first-seen order
    """
    if terms is None:
        terms = list(dict.fromkeys(t for r in results.values() for t in r.coefficients.index))
    rows: dict[str, dict[str, str]] = {}
    for term in terms:
        est, se = {}, {}
        for label, result in results.items():
            if term in result.coefficients.index:
                c = result.coefficients.loc[term]
                est[label] = f"{c['estimate']:.{digits}f}{_stars(c['p_value'])}"
                se[label] = f"({c['std_error']:.{digits}f})"
        rows[term] = est
        rows[f"{term} (se)"] = se
    rows["N"] = {label: str(r.nobs) for label, r in results.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(results)).fillna("")


def render(table: pd.DataFrame, title: str = "") -> str:
    """Render a ``compare`` table (or any string frame) as a rich text table."""
    from rich.console import Console
    from rich.table import Table

    out = Table(title=title or None)
    out.add_column("")
    for col in table.columns:
        out.add_column(str(col), justify="right")
    for name, row in table.iterrows():
        out.add_row("" if str(name).endswith(" (se)") else str(name), *[str(v) for v in row])
    console = Console(file=io.StringIO(), width=200, force_terminal=False, color_system=None)
    console.print(out)
    return console.file.getvalue()


def coefficient_rich_table(result: GravityResult) -> str:
    """Text summary of one model: tidy coefficient table, sample size, dropped rows by reason."""
    table = result.coefficients.map(lambda v: f"{v:.4g}")
    text = render(table, title=f"{result.method.upper()}: {result.formula}")
    counts = result.dropped_counts()
    dropped = "; ".join(f"{n} {reason}" for reason, n in counts.items()) or "none"
    return text + f"N = {result.nobs}; vcov: {result.vcov_type}; dropped rows: {dropped}\n"


def coefficient_latex(results: Mapping[str, GravityResult], terms: Sequence[str] | None = None) -> str:
    """LaTeX tabular of ``compare(results)``; standard errors in parentheses under estimates."""
    table = compare(results, terms)
    lines = [
        r"\begin{tabular}{l" + "r" * len(table.columns) + "}",
        r"\toprule",
        " & ".join([""] + [_latex_escape(str(c)) for c in table.columns]) + r" \\",
        r"\midrule",
    ]
    for name, row in table.iterrows():
        label = "" if str(name).endswith(" (se)") else _latex_escape(str(name))
        lines.append(" & ".join([label] + [_latex_escape(v) for v in row]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)


def _latex_escape(text: str) -> str:
    stars = len(text) - len(text.rstrip("*"))
    body = text[: len(text) - stars].replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")
    return body + (f"$^{{{'*' * stars}}}$" if stars else "")
