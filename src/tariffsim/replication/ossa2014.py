"""Tables of Ossa (2014), "Trade Wars and Trade Talks with Data", computed with the krugman model.

Conventions of MODEL_OSSA2014.md §5: rows are regions plus their simple mean (``average``), values in
percent, relative wages ``w_hat - mean(w_hat) + 1``, profits deflated by the own wage, median tariffs
over an importer's off-diagonal tariffs, rounding half away from zero (``round_half_away``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tariffsim.models import Krugman
from tariffsim.policy import Policy
from tariffsim.world import World

UNILATERAL_COLUMNS = ("G_own", "G_others", "W_own", "W_others", "relwage_own", "relwage_others",
                      "profits_own", "profits_others", "median_tariff")


def round_half_away(values, decimals: int = 1) -> np.ndarray:
    """Round halves away from zero (MATLAB ``round``), unlike numpy's round-half-to-even."""
    values = np.asarray(values, dtype=float)
    factor = 10.0 ** decimals
    return np.sign(values) * np.floor(np.abs(values) * factor + 0.5) / factor


def table2(world: World, sectors: Sequence[str] = ("crp", "wap"), importer: str = "USA",
           points: float = 50.0) -> pd.DataFrame:
    """Table 2: ``importer`` raises tariffs on all partners by ``points`` in one sector at a time (§4.7).

    Args:
        world: the purged ossa2014 world (balanced trade; counterfactuals impose NX' = 0).
    Returns:
        4 x 3 frame: rows 1-2 (one per sector) the importer's relative wage, the shocked sector's sales
        deflated by the own wage, and the mean of the other sectors' deflated sales; rows 3-4 the
        importer's welfare change and its terms-of-trade and profit-shifting parts. Percent.
    """
    model = Krugman()
    calibration = model.calibrate(world)
    j = world.country_index(importer)
    effects, welfare = [], []
    for sector in sectors:
        s = world.sector_indices(sector)[0]
        tariffs = world.tariffs.copy()
        tariffs[:, j, s] += points / 100
        tariffs[j, j, s] = 0.0
        eq = model.solve(calibration, Policy(tariffs, "zero", name=f"{importer} +{points:g}pp on {sector}"))
        deflated_sales = 100 * (eq.sales[j] / world.trade.sum(axis=1)[j] / eq.w_hat[j] - 1)
        effects.append([100 * (eq.relative_wage_hat[j] - 1), deflated_sales[s], np.delete(deflated_sales, s).mean()])
        parts = eq.decomposition_pct
        welfare.append([100 * (eq.welfare_hat[j] - 1), parts["terms_of_trade"][j], parts["profit_shifting"][j]])
    return pd.DataFrame(effects + welfare, columns=["c1", "c2", "c3"])


def stacked_to_cubes(world: World, stacked: np.ndarray) -> list[np.ndarray]:
    """Per-country tariff cubes from the paper's (N-1)*S x N layout of unilateral tariffs (§4.4).

    Column j holds j's tariffs, industry-major with partners (all but j, in world order) fastest.
    Returns N cubes: the world's tariffs with importer j's column replaced by column j's tariffs.
    """
    n, s = world.n_countries, world.n_sectors
    stacked = np.asarray(stacked, dtype=float)
    if stacked.shape != ((n - 1) * s, n):
        raise ValueError(f"expected {(n - 1) * s} x {n} stacked tariffs, got {stacked.shape}")
    cubes = []
    for j in range(n):
        cube = world.tariffs.copy()
        partners = [i for i in range(n) if i != j]
        cube[partners, j, :] = stacked[:, j].reshape(s, n - 1).T
        cubes.append(cube)
    return cubes


def unilateral_table(world: World, cubes: Sequence[np.ndarray], weights: np.ndarray | None = None) -> pd.DataFrame:
    """Table 3/8 layout: country j sets ``cubes[j]``'s column j, everyone else keeps the world's tariffs.

    Args:
        world: purged baseline. cubes: N tariff cubes (N,N,S), one per country. weights: (N,S) lambda
            used in every government-welfare evaluation (None: all ones, panel a).
    Returns:
        (N+1) x 9 frame of percent changes indexed by region name plus ``average`` (unrounded).
    """
    model = Krugman()
    calibration = model.calibrate(world)
    n = world.n_countries
    rows = []
    for j in range(n):
        eq = model.solve(calibration, Policy(cubes[j], "zero", name=f"{world.countries[j]} unilateral tariffs"))
        others = [k for k in range(n) if k != j]
        columns = [100 * (eq.government_welfare_hat(weights) - 1), 100 * (eq.welfare_hat - 1),
                   100 * (eq.relative_wage_hat - 1), 100 * (eq.profits_per_wage_hat - 1)]
        row = [v for c in columns for v in (c[j], c[others].mean())]
        row.append(100 * np.median(cubes[j][others, j, :]))
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(UNILATERAL_COLUMNS), index=list(world.country_names))
    table.loc["average"] = table.mean()
    table.index.name = "region"
    return table
