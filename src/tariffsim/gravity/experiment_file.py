"""Read a gravity GE experiment file (TOML): what to estimate, what to change, which GE to solve.

A file has a ``title``, an ``[estimation]`` table (a pyfixest ``formula``, or a ready-made design by
its ``covariates`` and ``fixed_effects``), a ``[ge]`` table (year, kind, imbalances, reference,
sigma), one ``[[change]]`` table per change of trade costs and, optionally, an ``[uncertainty]``
table. See ``examples/gravity/nafta.toml``. Only the structure is checked here; country names and
variables are checked against the data when the experiment runs (``tariffsim.gravity.pipeline``).
The rules and wording are those of ``tariffsim.toml_schema``, shared with scenario and pack files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tariffsim.gravity.costs import CostChange
from tariffsim.gravity.design import FixedEffects, GravityDesign
from tariffsim.gravity.ge import Imbalance, Kind
from tariffsim.gravity.pair_effects import PREDICTORS
from tariffsim.toml_schema import Table, description_of, read_toml

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
    document = Table.document(data, origin, "experiment")
    document.refuse_placeholders("experiment", label=change_label, order=TOP_KEYS)
    document.only(TOP_KEYS)
    changes = document.tables("change", CHANGE_KEYS, label=change_label)
    if not changes:
        raise document.error("the experiment changes nothing: add at least one [[change]] table, e.g.\n"
                             "[[change]]\nvariable = \"RTA\"\nvalue = 0\namong = [\"USA\", \"CAN\", \"MEX\"]")
    return ExperimentSpec(
        title=document.text("title"),
        description=document.text("description", ""),
        source=document.text("source", ""),
        estimation=_estimation(document.table("estimation", required=True)),
        ge=_ge(document.table("ge", GE_KEYS)),
        changes=tuple(_change(t, change_label("change", n, t.data)) for n, t in enumerate(changes, 1)),
        uncertainty=_uncertainty(document.table("uncertainty", UNCERTAINTY_KEYS)),
        origin=origin,
    )


def change_label(key: str, number: int, table: Mapping[str, Any]) -> str:
    """How messages (and ``CostChange.label``) name a change: ``change 2 (NAFTA)``."""
    description = description_of(table)
    return f"{key} {number}" + (f" ({description})" if description else "")


def _estimation(table: Table) -> EstimationSpec:
    has_formula, has_design = "formula" in table, "covariates" in table
    if has_formula == has_design:
        raise table.error(
            "give either formula = \"trade ~ RTA | exp_year + imp_year + pair\" (pyfixest syntax) "
            "or a ready-made design with covariates = [\"RTA\"] and fixed_effects = \"...\", not "
            + ("both" if has_formula else "neither")
        )
    table.only(FORMULA_KEYS + (() if has_formula else DESIGN_KEYS),
               hint=" (with formula = ..., write fixed effects after | in the formula)" if has_formula else "")
    years = table.integers("years", None)
    domestic = table.flag("domestic", True)
    common = dict(years=years, domestic=domestic, cluster=table.text("cluster", "pair"),
                  pair_predictors=table.names("pair_predictors", PREDICTORS))
    if has_formula:
        return EstimationSpec(formula=table.text("formula"), **common)
    design = GravityDesign(
        covariates=table.names("covariates"),
        fixed_effects=table.choice("fixed_effects", get_args(FixedEffects),  # type: ignore[arg-type]
                                   "exporter-year+importer-year"),
        domestic=domestic, border_by_year=table.flag("border_by_year", False),
        agreement=table.text("agreement", None), lags=table.integers("lags", ()),
        leads=table.integers("leads", ()), years=years,
    )
    return EstimationSpec(design=design, **common)


def _ge(table: Table) -> GESpec:
    sigma = table.number("sigma", 7.0)
    if not sigma > 1:
        raise table.invalid("sigma", "the elasticity of substitution must exceed 1 (the book uses 7)")
    return GESpec(
        year=table.integer("year", None),
        kind=table.choice("kind", get_args(Kind), "full"),  # type: ignore[arg-type]
        imbalance=table.choice("imbalance", get_args(Imbalance), "multiplicative"),  # type: ignore[arg-type]
        reference=table.text("reference", None),
        sigma=sigma,
    )


def _change(table: Table, label: str) -> CostChange:
    sets, shifts = "variable" in table, "trade_cost_percent" in table
    if sets == shifts:
        raise table.error("give either variable = \"RTA\" with value = 0 (set a cost variable), or "
                          "trade_cost_percent = 10 (trade costs rise by 10%), not " + ("both" if sets else "neither"))
    if sets and "value" not in table:
        raise table.error(f"value is missing: what should {table.get('variable')!r} become? e.g. value = 0")
    if "value" in table and not sets:
        raise table.invalid("value", "needs variable = \"...\" (which variable to set)")
    if "among" in table and ("exporters" in table or "importers" in table):
        raise table.error("give among = [...] (pairs within a group) or exporters/importers "
                          "(directed pairs), not both")
    return CostChange(
        label=label,
        variables=table.names("variable", ()),
        value=table.number("value", None),
        trade_cost_percent=table.number("trade_cost_percent", None),
        among=table.names("among", None),
        exporters=table.names("exporters", None),
        importers=table.names("importers", None),
    )


def _uncertainty(table: Table) -> UncertaintySpec:
    draws, seed = table.integer("draws", 0), table.integer("seed", 0)
    confidence = table.number("confidence", 95.0)
    if draws < 0 or not 0 < confidence < 100:
        raise table.error(f"draws = {draws}, confidence = {confidence}: draws must be >= 0 and "
                          "confidence a percentage between 0 and 100 (e.g. 95)")
    return UncertaintySpec(method=table.choice("method", get_args(Method), "monte-carlo"),  # type: ignore[arg-type]
                           draws=draws, seed=seed, confidence=confidence)
