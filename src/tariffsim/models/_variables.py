"""Result variables that every multi-country trade model declares (``Variable`` lists to combine).

A model's ``variables`` is a tuple of ``Variable``: ``TRADE_VARIABLES`` (welfare, wages, prices,
trade, tariff revenue, by country, by country and sector, bilateral) plus what is its own
(profits, a welfare decomposition). ``tariffsim.results`` builds every table and file from it.
"""

from __future__ import annotations

import numpy as np

from tariffsim.change import pct_change
from tariffsim.models.base import Variable


def _domestic(cube: np.ndarray) -> np.ndarray:
    idx = np.arange(cube.shape[0])
    return cube[idx, idx, :]


def _base_sector_exports(world) -> np.ndarray:
    return world.trade.sum(axis=1) - _domestic(world.trade)


def _base_sector_imports(world) -> np.ndarray:
    return world.trade.sum(axis=0) - _domestic(world.trade)


def country(name, unit, description, compute, label="", group="") -> Variable:
    return Variable(name, "country", unit, description, compute, label, group)


WELFARE = country("welfare", "pct", "real income (expenditure deflated by the price index), % change",
                  lambda e: 100 * (e.welfare_hat - 1), "welfare", "headline")

HEADLINE_VARIABLES = (
    WELFARE,
    country("government_welfare", "pct",
            "government welfare with political-economy weights (all ones unless given), % change",
            lambda e: 100 * (e.government_welfare_hat() - 1)),
    country("nominal_wage", "pct", "wage in units of world labour income (numeraire), % change",
            lambda e: 100 * (e.w_hat - 1)),
    country("relative_wage", "pct", "wage relative to the world average change, % change",
            lambda e: 100 * (e.relative_wage_hat - 1), "rel. wage", "headline"),
    country("price_index", "pct", "consumer price index, % change", lambda e: 100 * (e.price_index_hat - 1),
            "prices", "headline"),
    country("expenditure", "pct", "nominal tariff-inclusive spending, % change", lambda e: 100 * (e.E_hat - 1)),
    country("exports", "pct", "exports at world prices, % change",
            lambda e: pct_change(e.exports, e.world.exports), "exports", "headline"),
    country("imports", "pct", "imports at world prices, % change",
            lambda e: pct_change(e.imports, e.world.imports), "imports", "headline"),
    country("tariff_revenue", "pct", "tariff revenue, % change (NaN where baseline revenue is zero)",
            lambda e: pct_change(e.tariff_revenue, e.world.tariff_revenue), "tariff rev.", "headline"),
)

LEVEL_VARIABLES = (
    country("tariff_revenue_new", "data_units", "counterfactual tariff revenue", lambda e: e.tariff_revenue),
    country("exports_new", "data_units", "counterfactual exports at world prices", lambda e: e.exports),
    country("imports_new", "data_units", "counterfactual imports at world prices", lambda e: e.imports),
    country("net_exports_new", "data_units", "counterfactual net exports imposed", lambda e: e.net_exports),
)

SECTOR_VARIABLES = (
    Variable("output", "country_sector", "pct", "sales (domestic and foreign) at world prices, % change",
             lambda e: pct_change(e.sales, e.world.trade.sum(axis=1)), "output %"),
    Variable("exports", "country_sector", "pct", "exports at world prices, % change",
             lambda e: pct_change(e.sector_exports, _base_sector_exports(e.world)), "exports %"),
    Variable("imports", "country_sector", "pct", "imports at world prices, % change",
             lambda e: pct_change(e.sector_imports, _base_sector_imports(e.world)), "imports %"),
    Variable("output_new", "country_sector", "data_units", "counterfactual sales", lambda e: e.sales),
    Variable("exports_new", "country_sector", "data_units", "counterfactual exports", lambda e: e.sector_exports),
    Variable("imports_new", "country_sector", "data_units", "counterfactual imports", lambda e: e.sector_imports),
)

BILATERAL_VARIABLES = (
    Variable("flow", "bilateral", "pct", "exporter-to-importer flow summed over sectors at world prices, % change",
             lambda e: pct_change(e.trade.sum(axis=2), e.world.trade.sum(axis=2))),
    Variable("flow_new", "bilateral", "data_units", "counterfactual flow summed over sectors",
             lambda e: e.trade.sum(axis=2)),
)


def tariffs_only(equilibrium) -> bool:
    """True unless the policy moves trade costs: the first-order decompositions are derived for tariff
    changes and have no term for iceberg costs, so they are left out rather than misread."""
    cost = equilibrium.policy.trade_cost_hat
    return cost is None or bool(np.all(cost == 1))


def decomposition_variables(parts: tuple[tuple[str, str, str], ...], unit: str) -> tuple[Variable, ...]:
    """Country variables read from ``equilibrium.decomposition_pct[name]``: (name, label, description);
    available for tariff policies only (``tariffs_only``)."""
    return tuple(Variable(name, "country", unit, description, lambda e, name=name: e.decomposition_pct[name], label,
                          available=tariffs_only) for name, label, description in parts)


def trade_variables(*, own: tuple[Variable, ...] = (), decomposition: tuple[Variable, ...] = ()) -> tuple[Variable, ...]:
    """The standard declaration: headline country variables, ``own``, the decomposition, levels,
    then sector and bilateral variables (the order of tables and files)."""
    return (*HEADLINE_VARIABLES, *own, *decomposition, *LEVEL_VARIABLES, *SECTOR_VARIABLES, *BILATERAL_VARIABLES)
