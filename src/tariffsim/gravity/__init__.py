"""Structural gravity: PPML estimation (pyfixest), designs, panels and confidence intervals, and GE experiments
that hand the one-sector ``gravity_ge`` model (``tariffsim.models.gravity_ge``) a world and a trade-cost change
(``tariffsim.gravity.ge.counterfactual``)."""

from tariffsim.gravity.costs import CostChange, LinearCosts
from tariffsim.gravity.design import GravityDesign
from tariffsim.gravity.estimate import GravityResult, estimate
from tariffsim.gravity.experiment_file import load_experiment
from tariffsim.gravity.panel import add_gravity_columns, add_lags
from tariffsim.gravity.pipeline import ExperimentRun, run_experiment
from tariffsim.gravity.tables import compare, render
from tariffsim.gravity.uncertainty import GEIntervals, GEOptions, bootstrap_pairs, monte_carlo

__all__ = ["CostChange", "ExperimentRun", "GEIntervals", "GEOptions", "GravityDesign", "GravityResult", "LinearCosts",
           "add_gravity_columns", "add_lags", "bootstrap_pairs", "compare", "estimate", "load_experiment",
           "monte_carlo", "render", "run_experiment"]
