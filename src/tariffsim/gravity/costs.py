"""Trade costs linear in estimated coefficients, before and after a counterfactual change.

    ln T = offset + sum_k beta_k Z_k          (baseline)
    ln T' = offset' + sum_k beta_k Z'_k       (counterfactual)

with T = t^(1-sigma) of shape (N, N), Z the cost covariates (K, N, N) of one year, ``offset`` the log
pair effects (estimated pair fixed effects, or 0) and ``beta`` (K,) the estimated coefficients.

The GE step of an experiment and every confidence-interval draw share one ``LinearCosts``: a draw is
a coefficient vector, and ``economy(beta)`` / ``T_new(beta)`` give its baseline economy and its
counterfactual trade costs. Pair effects stay at their full-sample estimates in every draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim._lookup import suggest
from tariffsim.errors import ScenarioError, UnknownNameError
from tariffsim.gravity.economy import GravityEconomy, economy_from_data, pair_matrix


@dataclass(frozen=True)
class CostChange:
    """One counterfactual change of trade costs, on international pairs only (exporter != importer).

    Which pairs: ``among`` (every pair of two different members, both directions), or ``exporters``
    and/or ``importers`` (directed; a missing side means every country), or, with neither, every
    international pair.
    What: ``variables`` set to ``value`` (e.g. RTA = 0), or ``trade_cost_percent``: iceberg trade
    costs t_ij rise by that many percent (T_ij times (1 + pct/100)^(1-sigma)).
    """

    label: str
    variables: tuple[str, ...] = ()
    value: float | None = None
    trade_cost_percent: float | None = None
    among: tuple[str, ...] | None = None
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None

    def pairs(self, exporter: np.ndarray, importer: np.ndarray, countries: Sequence[str]) -> np.ndarray:
        """Boolean mask over rows (exporter, importer names, shape (rows,)) of the pairs this change touches.

        Unknown country names raise UnknownNameError with suggestions.
        """
        for group in (self.among, self.exporters, self.importers):
            for name in group or ():
                if name not in countries:
                    raise UnknownNameError(
                        f"{self.label}: unknown country {name!r} (not in the data for this year)."
                        f"{suggest(name, countries)} Known: {', '.join(countries)}."
                    )
        mask = exporter != importer
        if self.among is not None:
            mask &= np.isin(exporter, self.among) & np.isin(importer, self.among)
        if self.exporters is not None:
            mask &= np.isin(exporter, self.exporters)
        if self.importers is not None:
            mask &= np.isin(importer, self.importers)
        return mask


@dataclass(frozen=True, eq=False)
class LinearCosts:
    """Baseline and counterfactual trade costs as linear functions of the cost coefficients.

    countries       names, length N
    Y, E            output and expenditure (N,), from the data of one year
    sigma           elasticity of substitution
    terms, beta     coefficient names and point estimates (K,)
    Z, Z_new        covariates in the baseline and the counterfactual, (K, N, N)
    offset, offset_new   log pair effects (and direct cost changes in ``offset_new``), (N, N)
    """

    countries: tuple[str, ...]
    Y: np.ndarray
    E: np.ndarray
    sigma: float
    terms: tuple[str, ...]
    beta: np.ndarray
    Z: np.ndarray
    Z_new: np.ndarray
    offset: np.ndarray
    offset_new: np.ndarray

    def log_T(self, beta: np.ndarray, counterfactual: bool = False) -> np.ndarray:
        """ln T for coefficients ``beta`` of shape (K,) -> (N, N), or (D, K) -> (D, N, N)."""
        Z, offset = (self.Z_new, self.offset_new) if counterfactual else (self.Z, self.offset)
        return np.einsum("...k,kij->...ij", np.asarray(beta, dtype=float), Z) + offset

    def economy(self, beta: np.ndarray | None = None) -> GravityEconomy:
        """The baseline economy for ``beta`` (default: the point estimates); validated by GravityEconomy."""
        b = self.beta if beta is None else beta
        return GravityEconomy(self.countries, np.exp(self.log_T(b)), self.Y, self.E, self.sigma)

    def T_new(self, beta: np.ndarray | None = None) -> np.ndarray:
        """Counterfactual T' = t'^(1-sigma) for ``beta`` (default: the point estimates), shape (N, N)."""
        return np.exp(self.log_T(self.beta if beta is None else beta, counterfactual=True))


def linear_costs(
    rows: pd.DataFrame,
    coefficients: pd.Series,
    changes: Sequence[CostChange],
    *,
    sigma: float,
    pair_effects: pd.Series | None = None,
    trade: str = "trade",
    exporter: str = "exporter",
    importer: str = "importer",
) -> LinearCosts:
    """Build ``LinearCosts`` from one year of data (one row per pair, domestic pairs included).

    coefficients  estimates indexed by term; every term must be a column of ``rows``
    changes       applied in order; a change of a variable that is not a term is an error (it would do nothing)
    pair_effects  log pair costs indexed by (exporter, importer), e.g. filled pair fixed effects
    """
    terms = tuple(str(t) for t in coefficients.index)
    beta = coefficients.to_numpy(dtype=float)
    base = economy_from_data(rows, dict(zip(terms, beta, strict=True)), sigma=sigma, trade=trade,
                             exporter=exporter, importer=importer, pair_effects=pair_effects)
    countries = base.countries

    def matrix(values: np.ndarray) -> np.ndarray:
        return pair_matrix(rows, values, countries, exporter=exporter, importer=importer)

    exp_names = rows[exporter].astype(str).to_numpy()
    imp_names = rows[importer].astype(str).to_numpy()
    columns = {t: rows[t].to_numpy(dtype=float) for t in terms}
    new_columns = {t: v.copy() for t, v in columns.items()}
    shift = np.zeros(len(rows))
    for change in changes:
        mask = change.pairs(exp_names, imp_names, countries)
        for variable in change.variables:
            if variable not in new_columns:
                raise ScenarioError(
                    f"{change.label}: variable {variable!r} is not a term of the estimated equation, so changing it "
                    f"changes nothing.{suggest(variable, terms)} Terms: {', '.join(terms)}."
                )
            new_columns[variable][mask] = change.value
        if change.trade_cost_percent is not None:
            shift[mask] += (1 - sigma) * np.log1p(change.trade_cost_percent / 100)
    offset = np.zeros((len(countries), len(countries)))
    if pair_effects is not None:
        keys = pd.MultiIndex.from_arrays([exp_names, imp_names])
        offset = matrix(pair_effects.reindex(keys).to_numpy())
    empty = np.zeros((0, len(countries), len(countries)))
    Z = np.stack([matrix(columns[t]) for t in terms]) if terms else empty
    Z_new = np.stack([matrix(new_columns[t]) for t in terms]) if terms else empty
    return LinearCosts(countries, base.Y, base.E, base.sigma, terms, beta, Z, Z_new, offset, offset + matrix(shift))
