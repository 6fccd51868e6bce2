"""Pair trade costs for the GE step from estimated pair fixed effects (GEPPML, Yotov et al. 2016, ch. 2).

A panel PPML with pair fixed effects identifies ln t_ij^(1-sigma) up to the covariates for every
pair with positive trade in some year. Pairs without an estimate (separated: zero trade throughout)
get a prediction from a PPML of exp(pair FE) on time-invariant cost proxies with exporter and
importer fixed effects (the book's second stage).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tariffsim.gravity import panel
from tariffsim.gravity.estimate import GravityResult, estimate

PREDICTORS = ("ln_DIST", "CNTG", "LANG", "CLNY", "INTL_BRDR")


def fill_pair_effects(
    stage1: GravityResult,
    rows: pd.DataFrame,
    predictors: Sequence[str] = PREDICTORS,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
) -> tuple[pd.Series, GravityResult | None]:
    """Log pair effects for every row of ``rows`` (one year, every pair, with ``pair`` and predictor columns).

    Returns (effects indexed by (exporter, importer), the second-stage fit or None when no pair lacks
    an estimate).
    """
    pair_fe = stage1.fixed_effects()[panel.PAIR]
    rows = rows.reset_index(drop=True).assign(t_bar=np.exp(pair_fe.reindex(rows[panel.PAIR]).to_numpy()))
    stage2 = None
    if rows["t_bar"].isna().any():
        panel.require_columns(rows, predictors, "predicting pair effects of pairs without trade")
        formula = f"t_bar ~ {' + '.join(predictors)} | {exporter} + {importer}"
        stage2 = estimate(rows[rows["t_bar"].notna()], formula, vcov="hetero", tol=1e-10)
        fe = stage2.fixed_effects()
        fill = np.exp(
            rows[list(stage2.coefficients.index)].to_numpy(float) @ stage2.coefficients["estimate"].to_numpy()
            + fe[exporter].reindex(rows[exporter].astype(str)).to_numpy()
            + fe[importer].reindex(rows[importer].astype(str)).to_numpy()
        )
        rows["t_bar"] = rows["t_bar"].fillna(pd.Series(fill, index=rows.index))
    index = pd.MultiIndex.from_arrays([rows[exporter].astype(str), rows[importer].astype(str)])
    return pd.Series(np.log(rows["t_bar"].to_numpy()), index=index), stage2
