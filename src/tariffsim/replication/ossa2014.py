"""Tables of Ossa (2014), "Trade Wars and Trade Talks with Data", computed with the krugman model.

Conventions of MODEL_OSSA2014.md §5: rows are regions plus their simple mean (``average``), values in
percent, relative wages ``w_hat - mean(w_hat) + 1``, profits deflated by the own wage, median tariffs
over an importer's off-diagonal tariffs, rounding half away from zero (``round_half_away``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tariffsim.errors import DataValidationError
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
        raise DataValidationError(f"stacked tariffs of shape {stacked.shape}: a world of {n} countries and {s} "
                                  f"sectors needs (N-1)*S = {(n - 1) * s} rows (industries x partners) and N = {n} "
                                  "columns (importers); check the file is for this world and has no header row")
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
        row = [v for c in effects_pct(eq, weights) for v in (c[j], c[others].mean())]
        row.append(100 * np.median(cubes[j][others, j, :]))
        rows.append(row)
    return _with_average(pd.DataFrame(rows, columns=list(UNILATERAL_COLUMNS), index=list(world.country_names)))


def effects_pct(equilibrium, weights: np.ndarray | None = None) -> list[np.ndarray]:
    """The four (N,) effects every table reports, percent: G_hat, W_hat, relative wage, profits/wage."""
    return [100 * (equilibrium.government_welfare_hat(weights) - 1), 100 * (equilibrium.welfare_hat - 1),
            100 * (equilibrium.relative_wage_hat - 1), 100 * (equilibrium.profits_per_wage_hat - 1)]


def _with_average(table: pd.DataFrame) -> pd.DataFrame:
    """Append the simple mean of the rows as ``average`` (before rounding) and name the index ``region``."""
    table.loc["average"] = table.mean()
    table.index.name = "region"
    return table


def median_tariffs(world: World, cube: np.ndarray) -> np.ndarray:
    """(N,) median of each importer's off-diagonal tariffs in ``cube`` (N,N,S), percent (§5.1)."""
    n = world.n_countries
    return np.array([100 * np.median(np.delete(cube[:, j, :], j, axis=0)) for j in range(n)])


def target_tariffs(world: World, noncooperative: np.ndarray) -> np.ndarray:
    """Noncooperative tariff targets (§4.2): (S,N) fractions, industries in rows, importers in columns.

    Importers whose column of ``noncooperative`` (S,N, the paper's ``tariff_noncoop.csv``) is all zero
    have no measure; they get ``world``'s import-weighted applied tariffs instead (the purged world
    in the paper), i.e. sum_{i != j} X_ijs t_ijs / sum_{i != j} X_ijs.
    """
    noncooperative = np.asarray(noncooperative, dtype=float)
    if noncooperative.shape != (world.n_sectors, world.n_countries):
        raise DataValidationError(f"noncooperative tariffs of shape {noncooperative.shape}: this world needs "
                                  f"S x N = {world.n_sectors} x {world.n_countries} (industries in rows, importers "
                                  "in columns), as in the paper's tariff_noncoop.csv")
    missing = np.all(noncooperative == 0, axis=0)
    return np.where(missing[None, :], world.mean_tariff.T, noncooperative)


WAR_COLUMNS = ("G", "W", "relwage", "profits", "median_tariff")


def war_table(world: World, cube: np.ndarray, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Tables 4/9 layout: every country at the tariffs ``cube`` (N,N,S), relative to ``world``.

    Returns (N+1) x 5 frame, percent: G_hat, W_hat, relative wage, profits/wage, median tariff.
    """
    eq = Krugman().solve(Krugman().calibrate(world), Policy(cube, "zero", name="tariff war"))
    columns = [*effects_pct(eq, weights), median_tariffs(world, cube)]
    return _with_average(pd.DataFrame(dict(zip(WAR_COLUMNS, columns)), index=list(world.country_names)))


TALKS_BASELINES = ("nash", "factual", "free")


def talks_table(outcomes: Sequence[tuple[World, np.ndarray]], weights: np.ndarray | None = None) -> pd.DataFrame:
    """Tables 5/10 layout: cooperative tariffs relative to the Nash, factual and free-trade baselines.

    Args:
        outcomes: three (baseline world, cooperative cube (N,N,S)) pairs in ``TALKS_BASELINES`` order;
            each baseline world is the purged world rebased at the baseline tariffs.
    Returns (N+1) x 12 frame, percent, columns ``G_nash, G_factual, G_free, W_nash, ...,
    relwage_*, profits_*`` (four groups of three).
    """
    model = Krugman()
    effects = [effects_pct(model.solve(model.calibrate(w), Policy(cube, "zero", name="trade talks")), weights)
               for w, cube in outcomes]
    world = outcomes[0][0]
    data = {f"{name}_{base}": effects[b][e] for e, name in enumerate(WAR_COLUMNS[:4])
            for b, base in enumerate(TALKS_BASELINES)}
    return _with_average(pd.DataFrame(data, index=list(world.country_names)))


def parameters_table(world: World, weights: np.ndarray) -> pd.DataFrame:
    """Table 1: industries by sigma (descending, stable), sigma and each country's lambda; last row ``avg``.

    Args:
        weights: (N,S) political-economy weights.
    Returns (S+1) x (1+N) frame indexed by ``industry`` (sector codes), columns ``sigma`` and country names.
    """
    order = np.argsort(-world.sigma, kind="stable")
    table = pd.DataFrame(np.column_stack([world.sigma, np.asarray(weights, float).T])[order],
                         columns=["sigma", *world.country_names],
                         index=pd.Index([world.sectors[s] for s in order], name="industry"))
    table.loc["avg"] = table.mean()
    return table


def top_weights_table(world: World, weights: np.ndarray, top: int = 5) -> pd.DataFrame:
    """Table 1's companion: each country's ``top`` industries with the highest lambda (ties by index)."""
    order = np.argsort(-np.asarray(weights, float), axis=1, kind="stable")[:, :top]
    return pd.DataFrame({name: [world.sectors[s] for s in order[j]] for j, name in enumerate(world.country_names)},
                        index=pd.Index(range(1, top + 1), name="rank"))
