"""Read a gravity GE experiment file (TOML): what to estimate, what to change, which GE to solve.

A file has a ``title``, an ``[estimation]`` table (a pyfixest ``formula``, or a ready-made design by
its ``covariates`` and ``fixed_effects``), a ``[ge]`` table (year, kind, imbalances, reference,
sigma), one ``[[change]]`` table per change of trade costs and, optionally, an ``[uncertainty]``
table. See ``examples/gravity/nafta.toml``. Only the structure is checked here; country names and
variables are checked against the data when the experiment runs (``tariffsim.gravity.pipeline``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tariffsim._lookup import suggest
from tariffsim._toml import read_toml
from tariffsim.errors import ScenarioError
from tariffsim.gravity.costs import CostChange
from tariffsim.gravity.design import FixedEffects, GravityDesign
from tariffsim.gravity.ge import Imbalance, Kind
from tariffsim.gravity.pair_effects import PREDICTORS

Method = Literal["monte-carlo", "bootstrap"]

TOP_KEYS = ("title", "description", "source", "estimation", "ge", "change", "uncertainty")
FORMULA_KEYS = ("formula", "years", "domestic", "cluster", "pair_predictors", "description")
DESIGN_KEYS = ("covariates", "fixed_effects", "border_by_year", "agreement", "lags", "leads")
GE_KEYS = ("year", "kind", "imbalance", "reference", "sigma", "description")
CHANGE_KEYS = ("description", "variable", "value", "trade_cost_percent", "among", "exporters", "importers")
UNCERTAINTY_KEYS = ("method", "draws", "seed", "confidence", "description")


@dataclass(frozen=True)
class EstimationSpec:
    """What to estimate: ``formula`` (pyfixest syntax) or ``design``; the sample's years and domestic flows."""

    formula: str | None = None
    design: GravityDesign | None = None
    years: tuple[int, ...] | None = None
    domestic: bool = True
    cluster: str = "pair"
    pair_predictors: tuple[str, ...] = PREDICTORS


@dataclass(frozen=True)
class GESpec:
    """Which GE: ``year`` of the baseline, ``kind``, ``imbalance``, ``reference`` country (None: the
    country with the largest expenditure), ``sigma`` (elasticity of substitution)."""

    year: int | None = None
    kind: Kind = "full"
    imbalance: Imbalance = "multiplicative"
    reference: str | None = None
    sigma: float = 7.0


@dataclass(frozen=True)
class UncertaintySpec:
    """Confidence intervals: ``method``, number of ``draws``, ``seed``, ``confidence`` level in percent."""

    method: Method = "monte-carlo"
    draws: int = 0
    seed: int = 0
    confidence: float = 95.0


@dataclass(frozen=True)
class ExperimentSpec:
    """A parsed experiment file."""

    title: str
    estimation: EstimationSpec
    changes: tuple[CostChange, ...]
    ge: GESpec = GESpec()
    uncertainty: UncertaintySpec = UncertaintySpec()
    description: str = ""
    source: str = ""
    origin: str = field(default="<dict>", compare=False)


def load_experiment(path: str | os.PathLike[str]) -> ExperimentSpec:
    """Read and check an experiment file; ScenarioError naming the file, table and key on any problem."""
    return experiment_from_dict(read_toml(path, "experiment"), str(path))


def experiment_from_dict(data: Mapping[str, Any], origin: str = "<dict>") -> ExperimentSpec:
    """An ExperimentSpec from a dict laid out like the TOML file; ``origin`` names it in messages."""
    _check_keys(data, TOP_KEYS, origin)
    changes = data.get("change", [])
    if not isinstance(changes, list) or not all(isinstance(t, Mapping) for t in changes):
        raise ScenarioError(f"{origin}: change must be a list of tables: start each one with [[change]] "
                            "(double brackets) on its own line")
    if not changes:
        raise ScenarioError(f"{origin}: the experiment changes nothing: add at least one [[change]] table, e.g.\n"
                            "[[change]]\nvariable = \"RTA\"\nvalue = 0\namong = [\"USA\", \"CAN\", \"MEX\"]")
    return ExperimentSpec(
        title=_text(data, "title", origin),
        description=_text(data, "description", origin, ""),
        source=_text(data, "source", origin, ""),
        estimation=_estimation(_table(data, "estimation", origin, required=True), f"{origin}, [estimation]"),
        ge=_ge(_table(data, "ge", origin), f"{origin}, [ge]"),
        changes=tuple(_change(t, n, origin) for n, t in enumerate(changes, 1)),
        uncertainty=_uncertainty(_table(data, "uncertainty", origin), f"{origin}, [uncertainty]"),
        origin=origin,
    )


def _estimation(table: Mapping[str, Any], where: str) -> EstimationSpec:
    has_formula, has_design = "formula" in table, "covariates" in table
    if has_formula == has_design:
        raise ScenarioError(
            f"{where}: give either formula = \"trade ~ RTA | exp_year + imp_year + pair\" (pyfixest syntax) "
            "or a ready-made design with covariates = [\"RTA\"] and fixed_effects = \"...\", not "
            + ("both" if has_formula else "neither")
        )
    _check_keys(table, FORMULA_KEYS + (() if has_formula else DESIGN_KEYS), where,
                hint=" (with formula = ..., write fixed effects after | in the formula)" if has_formula else "")
    years = _ints(table, "years", where) if "years" in table else None
    domestic = _bool(table, "domestic", where, True)
    common = dict(years=years, domestic=domestic, cluster=_text(table, "cluster", where, "pair"),
                  pair_predictors=_names(table, "pair_predictors", where) or PREDICTORS)
    if has_formula:
        return EstimationSpec(formula=_text(table, "formula", where), **common)
    fixed_effects = _choice(table, "fixed_effects", where, get_args(FixedEffects), "exporter-year+importer-year")
    lags = _ints(table, "lags", where) if "lags" in table else ()
    leads = _ints(table, "leads", where) if "leads" in table else ()
    design = GravityDesign(
        covariates=_names(table, "covariates", where), fixed_effects=fixed_effects,  # type: ignore[arg-type]
        domestic=domestic, border_by_year=_bool(table, "border_by_year", where, False),
        agreement=_text(table, "agreement", where, "") or None, lags=lags, leads=leads, years=years,
    )
    return EstimationSpec(design=design, **common)


def _ge(table: Mapping[str, Any], where: str) -> GESpec:
    _check_keys(table, GE_KEYS, where)
    sigma = _number(table, "sigma", where, 7.0)
    if not sigma > 1:
        raise ScenarioError(f"{where}: sigma = {sigma}: the elasticity of substitution must exceed 1 (the book uses 7)")
    return GESpec(
        year=_ints(table, "year", where)[0] if "year" in table else None,
        kind=_choice(table, "kind", where, get_args(Kind), "full"),  # type: ignore[arg-type]
        imbalance=_choice(table, "imbalance", where, get_args(Imbalance), "multiplicative"),  # type: ignore[arg-type]
        reference=_text(table, "reference", where, "") or None,
        sigma=sigma,
    )


def _change(table: Mapping[str, Any], number: int, origin: str) -> CostChange:
    description = table.get("description")
    label = f"change {number}" + (f" ({description})" if isinstance(description, str) and description else "")
    where = f"{origin}, {label}"
    _check_keys(table, CHANGE_KEYS, where)
    sets, shifts = "variable" in table, "trade_cost_percent" in table
    if sets == shifts:
        raise ScenarioError(f"{where}: give either variable = \"RTA\" with value = 0 (set a cost variable), or "
                            "trade_cost_percent = 10 (trade costs rise by 10%), not " + ("both" if sets else "neither"))
    if sets and "value" not in table:
        raise ScenarioError(f"{where}: value is missing: what should {table['variable']!r} become? e.g. value = 0")
    if "value" in table and not sets:
        raise ScenarioError(f"{where}: value = {table['value']!r} needs variable = \"...\" (which variable to set)")
    if "among" in table and ("exporters" in table or "importers" in table):
        raise ScenarioError(f"{where}: give among = [...] (pairs within a group) or exporters/importers "
                            "(directed pairs), not both")
    return CostChange(
        label=label,
        variables=_names(table, "variable", where) if sets else (),
        value=_number(table, "value", where) if sets else None,
        trade_cost_percent=_number(table, "trade_cost_percent", where) if shifts else None,
        among=_names(table, "among", where) if "among" in table else None,
        exporters=_names(table, "exporters", where) if "exporters" in table else None,
        importers=_names(table, "importers", where) if "importers" in table else None,
    )


def _uncertainty(table: Mapping[str, Any], where: str) -> UncertaintySpec:
    _check_keys(table, UNCERTAINTY_KEYS, where)
    draws = _ints(table, "draws", where)[0] if "draws" in table else 0
    seed = _ints(table, "seed", where)[0] if "seed" in table else 0
    confidence = _number(table, "confidence", where, 95.0)
    if draws < 0 or not 0 < confidence < 100:
        raise ScenarioError(f"{where}: draws = {draws}, confidence = {confidence}: draws must be >= 0 and "
                            "confidence a percentage between 0 and 100 (e.g. 95)")
    return UncertaintySpec(method=_choice(table, "method", where, get_args(Method), "monte-carlo"),  # type: ignore[arg-type]
                           draws=draws, seed=seed, confidence=confidence)


# ------------------------------------------------------------------------------------ values
def _table(data: Mapping[str, Any], key: str, origin: str, required: bool = False) -> Mapping[str, Any]:
    if key not in data:
        if required:
            raise ScenarioError(f"{origin}: the [{key}] table is missing")
        return {}
    if not isinstance(data[key], Mapping):
        raise ScenarioError(f"{origin}: {key} must be a table: write [{key}] on its own line, then key = value lines")
    return data[key]


def _check_keys(table: Mapping[str, Any], valid: tuple[str, ...], where: str, hint: str = "") -> None:
    for key in table:
        if key not in valid:
            raise ScenarioError(f"{where}: unknown key {key!r}.{suggest(key, valid)} "
                                f"Valid keys here: {', '.join(valid)}{hint}.")


def _text(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise ScenarioError(f"{where}: {key} is missing: add {key} = \"...\"")
        return default
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{where}: {key} = {value!r}: {key} must be text in quotes, e.g. {key} = \"...\"")
    return value.strip()


def _names(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise ScenarioError(f"{where}: {key} = {value!r}: give a name or a list of names, e.g. {key} = [\"USA\", \"CAN\"]")
    return tuple(n.strip() for n in names)


def _number(table: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in table and default is not None:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: {key} = {value!r}: {key} must be a number")
    return float(value)


def _ints(table: Mapping[str, Any], key: str, where: str) -> tuple[int, ...]:
    value = table[key]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ScenarioError(f"{where}: {key} = {value!r}: give whole numbers, e.g. {key} = 2006 or [1986, 1990]")
    return tuple(items)


def _bool(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: {key} = {value!r}: write {key} = true or {key} = false")
    return value


def _choice(table: Mapping[str, Any], key: str, where: str, options: tuple[str, ...], default: str) -> str:
    value = table.get(key, default)
    if value not in options:
        raise ScenarioError(f"{where}: {key} = {value!r} is not one of {', '.join(map(repr, options))}."
                            f"{suggest(str(value), options)}")
    return value
