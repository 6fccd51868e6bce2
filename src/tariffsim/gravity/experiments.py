"""The general-equilibrium applications of Yotov et al. (2016), chapter 2, as data -> (economy, T_new).

Each function estimates the cost coefficients with ``estimate`` (PPML), builds the 2006 baseline
economy and the counterfactual trade costs; ``ge.counterfactual`` then solves any kind of GE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim.gravity import panel
from tariffsim.gravity.book import BOOK_YEARS
from tariffsim.gravity.design import GravityDesign
from tariffsim.gravity.economy import GravityEconomy, cost_matrix, economy_from_data
from tariffsim.gravity.estimate import GravityResult, estimate
from tariffsim.gravity.pair_effects import fill_pair_effects


@dataclass(frozen=True, eq=False)
class Experiment:
    """A baseline economy, counterfactual trade costs T_new (t'^(1-sigma), (N, N)) and the estimates used."""

    economy: GravityEconomy
    T_new: np.ndarray
    estimates: tuple[GravityResult, ...]


def trade_without_borders(data: pd.DataFrame, *, year: int = 2006, sigma: float = 7.0) -> Experiment:
    """Chapter 2, application 1: PPML of ``trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer`` in
    ``year``; the counterfactual sets INTL_BRDR = 0 (no international borders)."""
    rows = panel.add_gravity_columns(data[data["year"] == year], year=None)
    fit = estimate(rows, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer", vcov="hetero", tol=1e-12)
    coef = fit.coefficients["estimate"].to_dict()
    economy = economy_from_data(rows, coef, sigma=sigma)
    T_new = cost_matrix(rows.assign(**{panel.BORDER: 0}), coef, economy.countries)
    return Experiment(economy, T_new, (fit,))


def nafta(
    data: pd.DataFrame,
    *,
    members: tuple[str, ...] = ("CAN", "MEX", "USA"),
    year: int = 2006,
    sigma: float = 7.0,
) -> Experiment:
    """Chapter 2, application 2: the effect of NAFTA, as in the book's GEPPML procedure.

    Stage 1: panel PPML ``trade ~ RTA | exp_year + imp_year + pair`` (years 1986, 1990, ..., 2006).
    Stage 2: pair fixed effects missing for separated pairs are predicted by a PPML of exp(pair FE) on
    ln_DIST, CNTG, LANG, CLNY with exporter and importer fixed effects.
    Baseline T = exp(pair FE + b_RTA * RTA) in ``year``; counterfactual: RTA = 0 among ``members``.
    """
    design = GravityDesign(covariates=("RTA",), fixed_effects="exporter-year+importer-year+pair", domestic=True,
                           years=BOOK_YEARS)
    stage1 = estimate(data, design, tol=1e-10)
    b_rta = float(stage1.coefficients.loc["RTA", "estimate"])
    rows = panel.add_gravity_columns(data[data["year"] == year], year=None).reset_index(drop=True)
    effects, stage2 = fill_pair_effects(stage1, rows)
    economy = economy_from_data(rows, {"RTA": b_rta}, sigma=sigma, pair_effects=effects)
    among = rows["exporter"].isin(members) & rows["importer"].isin(members) & (rows[panel.BORDER] == 1)
    T_new = cost_matrix(rows.assign(RTA=rows["RTA"].where(~among, 0)), {"RTA": b_rta}, economy.countries,
                        pair_effects=effects)
    return Experiment(economy, T_new, (stage1, stage2) if stage2 is not None else (stage1,))
