"""Run an experiment file end to end: estimate, build trade costs for the GE year, solve the GE.

``run_experiment(spec, data)`` returns an ``ExperimentRun`` that holds every step (the estimation
sample and fit, the pair effects' second stage, the ``LinearCosts`` and the verified ``GEResult``),
so confidence intervals (``tariffsim.gravity.uncertainty``) can redo the GE for other coefficients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim._lookup import suggest
from tariffsim.errors import DataValidationError, ScenarioError
from tariffsim.gravity import ge, panel
from tariffsim.gravity.costs import LinearCosts, linear_costs
from tariffsim.gravity.estimate import GravityResult, estimate
from tariffsim.gravity.experiment_file import EstimationSpec, ExperimentSpec
from tariffsim.gravity.pair_effects import fill_pair_effects

# Fixed effects the GE step understands: multilateral resistances (re-solved in the GE) and pair costs.
MR_EFFECTS = ("exporter", "importer", "exp_year", "imp_year", "year")


@dataclass(frozen=True, eq=False)
class ExperimentRun:
    """Everything one run of an experiment produced.

    sample   estimation sample (rows of the input data, derived columns added), as passed to pyfixest
    fit      the gravity estimate; ``fit.formula`` is the formula used
    stage2   PPML predicting missing pair effects (None when the formula has no pair fixed effects
             or no pair lacks one)
    costs    baseline and counterfactual trade costs of ``year`` as functions of the coefficients
    result   the verified GE at the point estimates
    """

    spec: ExperimentSpec
    year: int
    sample: pd.DataFrame
    fit: GravityResult
    stage2: GravityResult | None
    costs: LinearCosts
    result: ge.GEResult


def estimation_sample(spec: EstimationSpec, data: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The estimation sample and formula for ``spec`` (derived columns added, years and domestic flows kept)."""
    if spec.design is not None:
        sample = spec.design.prepare(data)
        return sample, spec.design.formula(sample)
    sample = panel.add_gravity_columns(data)
    if spec.years is not None:
        sample = sample[sample["year"].isin(spec.years)]
        if sample.empty:
            raise DataValidationError(f"no rows for years {list(spec.years)} in column 'year'")
    if not spec.domestic:
        sample = sample[sample[panel.BORDER] == 1]
    return sample, str(spec.formula)


def ge_rows(spec: EstimationSpec, data: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per pair (domestic pairs included) of ``year``, with the columns the formula's terms need."""
    full = data
    design = spec.design
    if design is not None and design.agreement is not None and (design.lags or design.leads):
        full = panel.add_lags(full, design.agreement, lags=design.lags, leads=design.leads)
    full = panel.add_gravity_columns(full)
    rows = full[full["year"] == year]
    if rows.empty:
        years = sorted(full["year"].unique())
        raise DataValidationError(f"no rows for year {year} in the data (years: {years[0]}-{years[-1]}); "
                                  "pick a year the data has with --year or year = ... in [ge]")
    return rows.reset_index(drop=True)


def fixed_effects_of(formula: str) -> tuple[str, ...]:
    """Names after ``|`` in a pyfixest formula: ``"y ~ x | a + b"`` -> ("a", "b")."""
    parts = formula.split("|")
    if len(parts) < 2:
        return ()
    return tuple(name.strip() for name in re.split(r"\+", parts[1]) if name.strip())


def run_experiment(spec: ExperimentSpec, data: pd.DataFrame, year: int | None = None) -> ExperimentRun:
    """Estimate ``spec.estimation`` on ``data``, build the costs of ``year`` (default ``spec.ge.year``),
    apply ``spec.changes`` and solve the GE (verified; ConvergenceError otherwise)."""
    year = year if year is not None else spec.ge.year
    if year is None:
        raise ScenarioError(f"{spec.origin}: no GE year: give --year 2006 or year = 2006 in [ge]")
    sample, formula = estimation_sample(spec.estimation, data)
    effects = fixed_effects_of(formula)
    unknown = [name for name in effects if name not in (*MR_EFFECTS, panel.PAIR)]
    if unknown:
        raise ScenarioError(
            f"{spec.origin}: fixed effect(s) {unknown} in {formula!r}: the GE step knows exporter(-year) and "
            "importer(-year) effects (multilateral resistances) and pair effects (trade costs); estimate "
            "other effects separately, or write them as covariates"
        )
    rows = ge_rows(spec.estimation, data, year)  # before estimating: a wrong year fails fast
    _check_changes(spec, rows)
    fit = estimate(sample, formula, vcov=spec.estimation.cluster, tol=1e-10)
    pair_effects, stage2 = (None, None)
    if panel.PAIR in effects:
        pair_effects, stage2 = fill_pair_effects(fit, rows, spec.estimation.pair_predictors)
    costs = linear_costs(rows, fit.coefficients["estimate"], spec.changes, sigma=spec.ge.sigma,
                         pair_effects=pair_effects)
    if np.array_equal(costs.log_T(costs.beta), costs.log_T(costs.beta, counterfactual=True)):
        raise ScenarioError(f"{spec.origin}: the changes leave every trade cost of {year} as it is (the variables "
                            "already have those values for those pairs); nothing to simulate")
    reference = reference_country(costs, spec.ge.reference)
    result = ge.counterfactual(costs.economy(), costs.T_new(), reference=reference, kind=spec.ge.kind,
                               imbalance=spec.ge.imbalance)
    return ExperimentRun(spec, year, sample, fit, stage2, costs, result)


def reference_country(costs: LinearCosts, name: str | None) -> str:
    """``name`` if the data has it (else UnknownNameError-like ScenarioError with suggestions); None picks
    the country with the largest expenditure."""
    if name is None:
        return costs.countries[int(np.argmax(costs.E))]
    if name not in costs.countries:
        raise ScenarioError(f"[ge] reference = {name!r} is not a country of the data.{suggest(name, costs.countries)}")
    return name


def _check_changes(spec: ExperimentSpec, rows: pd.DataFrame) -> None:
    """Country names and variables of every change exist in the GE year's data (checked before estimating)."""
    exporters, importers = rows["exporter"].astype(str).to_numpy(), rows["importer"].astype(str).to_numpy()
    countries = tuple(sorted(set(exporters) | set(importers)))
    for change in spec.changes:
        change.pairs(exporters, importers, countries)
        for variable in change.variables:
            if variable not in rows.columns:
                raise ScenarioError(f"{spec.origin}, {change.label}: variable {variable!r} is not a column of the "
                                    f"data.{suggest(variable, [str(c) for c in rows.columns])}")
