"""Result variables that every multi-country trade model declares (``Variable`` lists to combine).

A model's ``variables`` is a tuple of ``Variable``: ``TRADE_VARIABLES`` (welfare, wages, prices,
trade, tariff revenue, by country, by country and sector, bilateral) plus what is its own
(profits, a welfare decomposition). ``tariffsim.results`` builds every table and file from it.

Exports and imports (baseline and counterfactual) are sums of the cross-border cells only, so a
country without foreign trade has exactly 0, and a percent change from a zero baseline is undefined:
NaN in arrays, the long table and files, "n/a" in printed tables (``BASELINES`` says which standard
percent changes may be NaN, and only where their baseline is exactly zero; ``reported_problems`` finds
any other NaN or infinite value).
"""

from __future__ import annotations

import numpy as np

from tariffsim.change import pct_change
from tariffsim.models.base import Variable


def _base_foreign(world) -> np.ndarray:
    from tariffsim.equilibrium import foreign

    return foreign(world.trade)


def _base_exports(world) -> np.ndarray:
    """(N,) baseline exports: cross-border cells only (exactly 0 for a country with no foreign sales)."""
    return _base_foreign(world).sum(axis=(1, 2))


def _base_imports(world) -> np.ndarray:
    """(N,) baseline imports: cross-border cells only (exactly 0 for a country with no foreign purchases)."""
    return _base_foreign(world).sum(axis=(0, 2))


def _base_sector_exports(world) -> np.ndarray:
    return _base_foreign(world).sum(axis=1)


def _base_sector_imports(world) -> np.ndarray:
    return _base_foreign(world).sum(axis=0)


UNDEFINED = "NaN where the baseline is zero (no baseline trade): a change from zero is undefined"


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
    country("exports", "pct", f"exports at world prices, % change ({UNDEFINED})",
            lambda e: pct_change(e.exports, _base_exports(e.world)), "exports", "headline"),
    country("imports", "pct", f"imports at world prices, % change ({UNDEFINED})",
            lambda e: pct_change(e.imports, _base_imports(e.world)), "imports", "headline"),
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
    Variable("output", "country_sector", "pct", "sales (domestic and foreign) at world prices, % change"
             f" ({UNDEFINED})",
             lambda e: pct_change(e.sales, e.world.trade.sum(axis=1)), "output %"),
    Variable("exports", "country_sector", "pct", f"exports at world prices, % change ({UNDEFINED})",
             lambda e: pct_change(e.sector_exports, _base_sector_exports(e.world)), "exports %"),
    Variable("imports", "country_sector", "pct", f"imports at world prices, % change ({UNDEFINED})",
             lambda e: pct_change(e.sector_imports, _base_sector_imports(e.world)), "imports %"),
    Variable("output_new", "country_sector", "data_units", "counterfactual sales", lambda e: e.sales),
    Variable("exports_new", "country_sector", "data_units", "counterfactual exports", lambda e: e.sector_exports),
    Variable("imports_new", "country_sector", "data_units", "counterfactual imports", lambda e: e.sector_imports),
)

BILATERAL_VARIABLES = (
    Variable("flow", "bilateral", "pct", "exporter-to-importer flow summed over sectors at world prices, % change"
             f" ({UNDEFINED})",
             lambda e: pct_change(e.trade.sum(axis=2), e.world.trade.sum(axis=2))),
    Variable("flow_new", "bilateral", "data_units", "counterfactual flow summed over sectors",
             lambda e: e.trade.sum(axis=2)),
)


# (level, name) of a standard percent change -> its baseline; the change may be NaN only where this is 0.
BASELINES = {
    ("country", "exports"): _base_exports,
    ("country", "imports"): _base_imports,
    ("country", "tariff_revenue"): lambda world: world.tariff_revenue,
    ("country_sector", "output"): lambda world: world.trade.sum(axis=1),
    ("country_sector", "exports"): _base_sector_exports,
    ("country_sector", "imports"): _base_sector_imports,
    ("bilateral", "flow"): lambda world: world.trade.sum(axis=2),
}

STANDARD_VARIABLES = (*HEADLINE_VARIABLES, *LEVEL_VARIABLES, *SECTOR_VARIABLES, *BILATERAL_VARIABLES)


def reported_problems(equilibrium, variables=None) -> list[str]:
    """What is wrong with the reported values: every standard variable (of ``variables``, default the
    model's available ones) must be finite, except a percent change whose baseline is exactly zero
    (``BASELINES``), which is NaN. Returns one line per offending variable, naming the first cell."""
    world = equilibrium.world
    if variables is None:
        variables = [v for v in equilibrium.model.variables if v.available(equilibrium)]
    standard = {(v.level, v.name) for v in STANDARD_VARIABLES}
    problems = []
    for v in variables:
        key = (v.level, v.name)
        if key not in standard:
            continue
        value = np.asarray(v.compute(equilibrium), dtype=float)
        bad = ~np.isfinite(value)
        if key in BASELINES:
            bad &= ~(np.isnan(value) & (np.asarray(BASELINES[key](world)) == 0))
        if bad.any():
            index = tuple(int(k) for k in np.argwhere(bad)[0])
            where = _where(world, v.level, index)
            problems.append(f"{v.name} ({v.level}) is {value[index]} for {where}"
                            f"{f' and {int(bad.sum()) - 1} more cells' if bad.sum() > 1 else ''}")
    return problems


def _where(world, level, index) -> str:
    if level == "country":
        return world.countries[index[0]]
    if level == "country_sector":
        return f"{world.countries[index[0]]}, sector {world.sectors[index[1]]}"
    return f"exporter {world.countries[index[0]]}, importer {world.countries[index[1]]}"


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
