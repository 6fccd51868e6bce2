"""Structural gravity: PPML estimation (pyfixest) and one-sector general-equilibrium counterfactuals."""

from tariffsim.gravity.design import GravityDesign
from tariffsim.gravity.estimate import GravityResult, estimate
from tariffsim.gravity.panel import add_gravity_columns, add_lags
from tariffsim.gravity.tables import compare, render

__all__ = ["GravityDesign", "GravityResult", "add_gravity_columns", "add_lags", "compare", "estimate", "render"]
