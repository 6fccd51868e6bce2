"""Summary tables of a World (for ``tariffsim info`` and reports)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tariffsim.world import World


def country_summary(world: World) -> pd.DataFrame:
    """One row per country: spending, trade, balance, tariff revenue and average tariffs.

    Columns: spending (tariff-inclusive), exports, imports (data units, world prices); ``NX %``, ``imports %``
    and ``tariffs %``: net exports, imports and tariff revenue in % of spending; ``avg tariff``: applied
    tariff in %, weighted by imports.
    """
    foreign = world.trade.copy()
    idx = np.arange(world.n_countries)
    foreign[idx, idx, :] = 0.0
    imports_by_partner = foreign.sum(axis=(0, 2))
    mean_tariff = 100 * np.einsum("ijs,ijs->j", foreign, world.tariffs) / np.where(imports_by_partner > 0, imports_by_partner, np.nan)
    E = world.expenditure
    return pd.DataFrame({
        "spending": E,
        "exports": world.exports,
        "imports": world.imports,
        "NX %": 100 * world.net_exports / E,
        "imports %": 100 * world.imports / E,
        "tariffs %": 100 * world.tariff_revenue / E,
        "avg tariff": mean_tariff,
    }, index=pd.Index(world.countries, name="country"))
