"""A one-sector gravity economy from data: countries, output, expenditure and trade costs t^(1-sigma).

pandas stops here: ``economy_from_data`` reads one year of a long table and returns arrays with
names; ``cost_matrix`` turns cost covariates and coefficients into T = t^(1-sigma) = exp(sum_k b_k z_k).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tariffsim.errors import DataValidationError, UnknownNameError
from tariffsim.gravity.data_file import shown, where
from tariffsim.gravity.panel import require_columns


@dataclass(frozen=True, eq=False)
class GravityEconomy:
    """Baseline of the one-sector Armington structural gravity model.

    countries  names, length N (index i = exporter, j = importer)
    T          t_ij^(1-sigma), shape (N, N), finite, >= 0, positive diagonal (domestic trade)
    Y, E       output and expenditure (N,), positive, same currency as trade (e.g. million USD)
    sigma      elasticity of substitution (> 1)
    """

    countries: tuple[str, ...]
    T: np.ndarray
    Y: np.ndarray
    E: np.ndarray
    sigma: float

    def __post_init__(self) -> None:
        n = len(self.countries)
        for name, arr, shape in (("T", self.T, (n, n)), ("Y", self.Y, (n,)), ("E", self.E, (n,))):
            if np.shape(arr) != shape:
                raise DataValidationError(f"{name} has shape {np.shape(arr)}, expected {shape} for {n} countries")
        if not self.sigma > 1:
            raise DataValidationError(f"sigma = {self.sigma}: the elasticity of substitution must exceed 1")
        for name, arr in (("output Y", self.Y), ("expenditure E", self.E)):
            bad = ~(np.isfinite(arr) & (arr > 0))
            if bad.any():
                c = self.countries[int(np.argmax(bad))]
                raise DataValidationError(
                    f"{name} of {c} is {float(arr[bad][0])}: every country needs positive output and expenditure "
                    "(drop countries without trade, or check the trade column for that year)"
                )
        if not np.isclose(self.Y.sum(), self.E.sum(), rtol=1e-9):
            raise DataValidationError(
                f"world output {self.Y.sum():.6g} differs from world expenditure {self.E.sum():.6g}: "
                "both must be sums of the same bilateral flows (domestic flows included)"
            )
        bad = ~np.isfinite(self.T) | (self.T < 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataValidationError(
                f"trade cost T[{self.countries[i]}, {self.countries[j]}] = {float(self.T[i, j])}: t^(1-sigma) must be "
                "finite and >= 0 (a missing cost covariate for that pair?)"
            )
        no_home = np.diag(self.T) <= 0
        if no_home.any():
            names = [c for c, z in zip(self.countries, no_home, strict=True) if z]
            raise DataValidationError(
                f"zero domestic trade (T[i, i] = 0) for {names}: the model needs every country to buy from itself; "
                "fill domestic flows (the book's data has them) or drop these countries"
            )
        _check_connected(self.T, self.countries)

    def index(self, country: str) -> int:
        """Position of ``country``; UnknownNameError lists the known names."""
        try:
            return self.countries.index(country)
        except ValueError:
            raise UnknownNameError(f"unknown country {country!r}; known: {', '.join(self.countries)}") from None


def _check_connected(T: np.ndarray, countries: tuple[str, ...]) -> None:
    """Exporters and importers linked by positive T must form one group, or the MRs are not unique."""
    n = len(countries)
    graph = csr_matrix(np.block([[np.zeros((n, n)), T > 0], [(T > 0).T, np.zeros((n, n))]]))
    count, labels = connected_components(graph, directed=False)
    if count > 1:
        groups = [sorted({countries[k % n] for k in np.flatnonzero(labels == g)}) for g in range(count)]
        raise DataValidationError(
            f"the trade network splits into {count} disconnected groups {groups}: multilateral resistances are "
            "not determined across groups; analyse each group separately or give the missing pairs a trade cost"
        )


def cost_matrix(
    data: pd.DataFrame,
    coefficients: Mapping[str, float],
    countries: tuple[str, ...],
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    pair_effects: pd.Series | None = None,
) -> np.ndarray:
    """T = t^(1-sigma) = exp(sum_k coefficients[k] * data[k] (+ pair_effects)), shape (N, N).

    data          one row per exporter-importer pair (one year), with every covariate in ``coefficients``
    pair_effects  optional log pair costs indexed by (exporter, importer), e.g. estimated pair fixed effects
    Missing pairs are an error that names them.
    """
    require_columns(data, [exporter, importer, *coefficients], "trade-cost covariates")
    log_cost = np.zeros(len(data)) + sum(float(b) * data[k].astype(float).to_numpy() for k, b in coefficients.items())
    if pair_effects is not None:
        keys = pd.MultiIndex.from_arrays([data[exporter].astype(str), data[importer].astype(str)])
        log_cost = log_cost + pair_effects.reindex(keys).to_numpy()
    return np.exp(pair_matrix(data, log_cost, countries, exporter=exporter, importer=importer))


def pair_matrix(
    data: pd.DataFrame,
    values: np.ndarray,
    countries: tuple[str, ...],
    *,
    exporter: str = "exporter",
    importer: str = "importer",
) -> np.ndarray:
    """Arrange ``values`` (one per row of ``data``, shape (rows,)) as an (N, N) exporter x importer matrix.

    Every exporter-importer pair of ``countries`` (domestic pairs included) needs exactly one row with a
    non-missing value; duplicated and missing pairs are errors that name them.
    """
    series = pd.Series(np.asarray(values, dtype=float), index=pd.MultiIndex.from_arrays(
        [data[exporter].astype(str), data[importer].astype(str)]))
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        raise DataValidationError(f"more than one row for exporter {dup[0]}, importer {dup[1]}: give one year")
    matrix = series.reindex(pd.MultiIndex.from_product([countries, countries]))
    if matrix.isna().any():
        missing = list(matrix.index[matrix.isna()][:5])
        raise DataValidationError(
            f"no trade cost for pairs {missing} ({int(matrix.isna().sum())} in all): the data must hold every "
            "exporter-importer pair, domestic pairs included (fill missing pair effects first)"
        )
    return matrix.to_numpy().reshape(len(countries), len(countries))


def economy_from_data(
    data: pd.DataFrame,
    coefficients: Mapping[str, float],
    *,
    sigma: float,
    year: int | None = None,
    trade: str = "trade",
    exporter: str = "exporter",
    importer: str = "importer",
    year_column: str = "year",
    pair_effects: pd.Series | None = None,
) -> GravityEconomy:
    """Baseline economy for one year: Y_i = sum_j trade_ij, E_j = sum_i trade_ij (domestic flows included),
    T from the cost covariates and their estimated coefficients (see ``cost_matrix``)."""
    require_columns(data, [exporter, importer, trade], "gravity data")
    rows = data
    if year is not None:
        require_columns(data, [year_column], "gravity data")
        rows = data[data[year_column] == year]
        if rows.empty:
            raise DataValidationError(f"no rows for {year_column} == {year}")
    if rows[trade].isna().any() or (rows[trade] < 0).any():
        bad = rows.index[rows[trade].isna() | (rows[trade] < 0)][0]
        value = rows.loc[bad, trade]
        problem = "is missing" if pd.isna(value) else f"{shown(value)} is negative"
        raise DataValidationError(f"{where(rows, bad, [exporter, importer, year_column, trade])}, column {trade!r}: "
                                  f"trade {problem}; give every pair a trade flow >= 0 (0 for none)")
    countries = tuple(sorted(set(rows[exporter].astype(str)) | set(rows[importer].astype(str))))
    Y = rows.groupby(rows[exporter].astype(str))[trade].sum().reindex(countries, fill_value=0.0).to_numpy(float)
    E = rows.groupby(rows[importer].astype(str))[trade].sum().reindex(countries, fill_value=0.0).to_numpy(float)
    T = cost_matrix(rows, coefficients, countries, exporter=exporter, importer=importer, pair_effects=pair_effects)
    return GravityEconomy(countries=countries, T=T, Y=Y, E=E, sigma=float(sigma))
