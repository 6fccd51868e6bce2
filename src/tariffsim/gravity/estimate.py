"""Gravity estimation: a thin layer over pyfixest's ``fepois`` (PPML) and ``feols`` (log-linear OLS).

pyfixest does the estimation; this module chooses gravity defaults (cluster by pair, separation
check on), says which rows were dropped and why, refuses unconverged fits, and returns a frozen
``GravityResult`` with tidy tables and the fixed effects the GE step needs.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from formulaic.errors import FormulaicError

from tariffsim.atomic import atomic_write
from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.gravity import panel
from tariffsim.gravity.data_file import shown, where
from tariffsim.gravity.design import GravityDesign
from tariffsim.gravity.tables import coefficient_latex, coefficient_rich_table

Method = Literal["ppml", "ols"]
Separation = Literal["fe", "ir"]

_DERIVED = re.compile(rf"\b({panel.EXP_YEAR}|{panel.IMP_YEAR}|{panel.PAIR}|{panel.BORDER}\w*|ln_DIST)\b")


@dataclass(frozen=True)
class GravityResult:
    """One estimated gravity equation.

    coefficients  DataFrame indexed by term: estimate, std_error, statistic, p_value, conf_low, conf_high
    vcov          DataFrame (terms x terms), the coefficient covariance used for the standard errors
    nobs          observations used (after dropping)
    dropped       DataFrame with ``row`` (index label in the input data) and ``reason``
    fitted        Series of fitted values (trade levels for PPML, log trade for OLS), indexed like the input
    model         the pyfixest model object, for anything this layer does not wrap
    """

    formula: str
    method: Method
    vcov_type: str
    coefficients: pd.DataFrame
    vcov: pd.DataFrame
    nobs: int
    dropped: pd.DataFrame
    fitted: pd.Series
    model: Any = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The tidy coefficient table: one row per term (``term`` column plus the statistics)."""
        return self.coefficients.rename_axis("term").reset_index()

    def summary(self) -> str:
        """A plain-text table (rendered with rich) with the sample and dropped-row counts."""
        return coefficient_rich_table(self)

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the tidy coefficient table to ``path`` (CSV), atomically (``tariffsim.atomic``)."""
        frame = self.to_frame()
        atomic_write(Path(path), lambda target: frame.to_csv(target, index=False))

    def to_latex(self) -> str:
        """The coefficient table as a LaTeX tabular (estimate, standard error in parentheses)."""
        return coefficient_latex({self.method.upper(): self})

    def dropped_counts(self) -> pd.Series:
        """Number of dropped rows by reason."""
        return self.dropped["reason"].value_counts()

    def fixed_effects(self, tol: float = 1e-12) -> dict[str, pd.Series]:
        """Estimated fixed effects by factor (e.g. ``"exp_year"``), each a Series indexed by level.

        Fixed effects are identified only up to normalisation: the first level of every factor after
        the first is the reference, reported as 0. Their sums per observation are exact up to
        ``tol``, the lsqr tolerance used to recover them.
        """
        raw = self.model.fixef(atol=tol, btol=tol)
        out = {}
        for key, values in raw.items():
            name = _factor_name(key)
            levels = pd.unique(self.model._data[name].astype(str))
            out[name] = pd.Series(values, name=name).reindex(levels, fill_value=0.0)
        return out


def _factor_name(key: str) -> str:
    match = re.fullmatch(r"C\((.*)\)", key)
    return match.group(1) if match else key


def estimate(
    data: pd.DataFrame,
    spec: str | GravityDesign,
    *,
    method: Method = "ppml",
    vcov: str = "pair",
    separation: tuple[Separation, ...] = ("fe",),
    ssc: Mapping[str, Any] | None = None,
    tol: float = 1e-8,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str | None = "year",
) -> GravityResult:
    """Estimate a gravity equation with pyfixest.

    data        long table, one row per exporter-importer(-year)
    spec        a pyfixest formula (``"trade ~ RTA | exp_year + imp_year + pair"``) or a ``GravityDesign``;
                derived columns (``exp_year``, ``imp_year``, ``pair``, ``INTL_BRDR*``, ``ln_DIST``) are
                added when the formula uses them and the data lacks them
    method      ``"ppml"`` (pyfixest.fepois) or ``"ols"`` (pyfixest.feols, formula in logs)
    vcov        ``"iid"``, ``"hetero"``, or the name of a cluster column (default ``"pair"``)
    separation  pyfixest separation checks (``"fe"``, ``"ir"``); () disables them (PPML only)
    ssc         small-sample correction, as ``pyfixest.ssc(...)``; None keeps pyfixest's (fixest's) default
    tol         IRLS convergence tolerance (PPML)
    """
    import pyfixest as pf

    if method not in get_args(Method):
        raise DataValidationError(f"method={method!r} is not one of {get_args(Method)}")
    if isinstance(spec, GravityDesign):
        sample = spec.prepare(data)
        formula = spec.formula(sample)
    else:
        sample, formula = data, spec
        wanted = set(_DERIVED.findall(formula)) | ({vcov} & {panel.PAIR})
        if wanted - set(sample.columns):
            sample = panel.add_gravity_columns(sample, exporter=exporter, importer=importer, year=year)
    vcov_arg: str | dict[str, str] = vcov if vcov in ("iid", "hetero") else {"CRV1": vcov}
    if isinstance(vcov_arg, dict):
        panel.require_columns(sample, [vcov], "cluster variable (vcov=)")
    original_index = sample.index
    fit_data = sample.reset_index(drop=True)
    kwargs: dict[str, Any] = {"vcov": vcov_arg}
    if ssc is not None:
        kwargs["ssc"] = dict(ssc)
    if method == "ppml":
        _refuse_bad_outcome(sample, formula, [exporter, importer, year or ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if method == "ppml":
                fit = pf.fepois(formula, data=fit_data, iwls_tol=tol, separation_check=list(separation), **kwargs)
            else:
                fit = pf.feols(formula, data=fit_data, **kwargs)
        except FormulaicError as error:  # a name the data lacks, a misplaced operator, a bad factor
            raise DataValidationError(
                f"formula {formula!r} cannot be used with this data: {str(error).splitlines()[0]}; fix: "
                f"write it as 'outcome ~ covariates | fixed effects' with columns of the data "
                f"({', '.join(map(str, sample.columns[:12]))}{', ...' if len(sample.columns) > 12 else ''})"
            ) from error
    _reemit(caught)
    if method == "ppml" and not fit.convergence:
        raise ConvergenceError(
            f"PPML did not converge for {formula!r} within {fit.maxiter} IRLS iterations (tol {tol}). "
            "Check for separated observations (separation=('fe', 'ir')), covariates that do not vary "
            "within fixed effects, or loosen tol."
        )
    dropped = _dropped_report(fit, fit_data, original_index, formula, separation)
    kept = np.setdiff1d(np.arange(len(fit_data)), dropped["position"].to_numpy())
    fitted_values = fit._Y_hat_response if method == "ppml" else fit._Y_hat_link
    fitted = pd.Series(np.asarray(fitted_values).ravel(), index=original_index[kept], name="fitted")
    return GravityResult(
        formula=formula,
        method=method,
        vcov_type=fit._vcov_type_detail,
        coefficients=_coefficients(fit),
        vcov=pd.DataFrame(fit._vcov, index=fit._coefnames, columns=fit._coefnames),
        nobs=int(fit._N),
        dropped=dropped.drop(columns="position"),
        fitted=fitted,
        model=fit,
    )


def _refuse_bad_outcome(sample: pd.DataFrame, formula: str, key_columns: list[str]) -> None:
    """Refuse a PPML outcome (the formula's left-hand column) that is not a number or is negative,
    naming the first bad row (its file line when read from CSV) and how many there are."""
    outcome = formula.split("~", 1)[0].strip()
    if outcome not in sample.columns:
        return  # a transformed outcome: pyfixest evaluates it
    values = sample[outcome]
    numbers = pd.to_numeric(values, errors="coerce")
    text = values.notna() & numbers.isna()
    negative = numbers < 0
    for bad, problem, fix in ((text, "is not a number", "give numbers only (empty for missing)"),
                              (negative, "is negative", "PPML needs flows >= 0 (0 for none)")):
        if bad.any():
            label = sample.index[bad.to_numpy()][0]
            columns = [c for c in [*key_columns, outcome] if c]
            raise DataValidationError(
                f"{where(sample, label, columns)}, column {outcome!r}: {outcome} {shown(values.loc[label])} "
                f"{problem} ({int(bad.sum())} such row{'s' if bad.sum() > 1 else ''}); fix: {fix}")


def _reemit(caught: list[warnings.WarningMessage]) -> None:
    """Re-emit pyfixest's warnings except those this layer reports itself (separation) or that
    concern pyfixest's own use of pandas (deprecations the user cannot act on)."""
    for w in caught:
        text = str(w.message)
        if "removed because of separation" in text or type(w.message).__name__ == "Pandas4Warning":
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _coefficients(fit: Any) -> pd.DataFrame:
    tidy = fit.tidy()
    table = pd.DataFrame(
        {
            "estimate": tidy["Estimate"].to_numpy(),
            "std_error": tidy["Std. Error"].to_numpy(),
            "statistic": tidy["t value"].to_numpy(),
            "p_value": tidy["Pr(>|t|)"].to_numpy(),
            "conf_low": tidy["2.5%"].to_numpy(),
            "conf_high": tidy["97.5%"].to_numpy(),
        },
        index=pd.Index([str(t) for t in tidy.index], name="term"),
    )
    return table


def _dropped_report(
    fit: Any, data: pd.DataFrame, original_index: pd.Index, formula: str, separation: tuple[str, ...]
) -> pd.DataFrame:
    """One row per dropped observation: position, input row label, reason."""
    early = np.array(sorted(fit._na_index), dtype=np.int64)
    n_sep = int(fit.n_separation_na or 0)
    separated = np.asarray(fit.na_index, dtype=np.int64)[len(fit.na_index) - n_sep:]
    used = [c for c in data.columns if re.search(rf"\b{re.escape(str(c))}\b", formula)]
    reasons: list[str] = []
    for pos in early:
        row = data.iloc[pos]
        missing = [c for c in used if pd.isna(row[c])]
        reasons.append(
            f"missing value in {missing}" if missing
            else "non-finite after transform (e.g. log of 0) or singleton fixed effect"
        )
    sep_reason = f"separation ({'+'.join(separation)}): outcome zero for every row of a fixed effect"
    reasons += [sep_reason] * len(separated)
    all_pos = np.concatenate([early, separated])
    return pd.DataFrame({"position": all_pos, "row": original_index[all_pos], "reason": reasons})
