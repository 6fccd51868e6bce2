"""A solved counterfactual equilibrium and the economics derived from it.

All hats are counterfactual / baseline ratios; ``*_pct`` quantities are ``100 * (hat - 1)``, i.e.
percent changes; levels are in the world's data units at world (pre-tariff) prices. Formulas cite
MODEL_OSSA2014.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tariffsim import welfare as _welfare
from tariffsim.policy import Policy
from tariffsim.world import World


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """Counterfactual equilibrium of ``world`` under ``policy``, verified by its residuals.

    Attributes:
        model: model name (``"krugman"`` or ``"armington"``).
        world: the baseline.
        policy: the counterfactual (tariffs t', net-exports rule).
        profit_share: (S,) share of sales that is operating profit (1/sigma for krugman, 0 for armington).
        w_hat: (N,) wage change; E_hat: (N,) expenditure change.
        price_index_sector_hat: (N, S) change of the sector price index P_js.
        trade: (N, N, S) counterfactual flows X' at world prices, data units.
        net_exports: (N,) counterfactual net exports NX' imposed, data units.
        residuals: (2N+1,) relative residuals of every equation at the solution (labour markets,
            budgets, numeraire); ``max_residual`` is their largest absolute value.
        method: the solver that found the solution; steps: its Newton steps (or evaluations).
    """

    model: str
    world: World
    policy: Policy
    profit_share: np.ndarray
    w_hat: np.ndarray
    E_hat: np.ndarray
    price_index_sector_hat: np.ndarray
    trade: np.ndarray
    net_exports: np.ndarray
    residuals: np.ndarray
    method: str
    steps: int

    @property
    def max_residual(self) -> float:
        return float(np.max(np.abs(self.residuals)))

    # ------------------------------------------------------------------ prices and welfare (§3.5)
    @cached_property
    def sector_weights(self) -> np.ndarray:
        """(N, S) baseline Cobb-Douglas shares mu_js of each importer's spending."""
        spending = ((1 + self.world.tariffs) * self.world.trade).sum(axis=0)
        return spending / spending.sum(axis=1, keepdims=True)

    @cached_property
    def price_index_hat(self) -> np.ndarray:
        """(N,) aggregate price index change, prod_s P_js^mu_js."""
        return np.asarray(_welfare.price_index_hat(self.sector_weights, self.price_index_sector_hat))

    @cached_property
    def welfare_hat(self) -> np.ndarray:
        """(N,) real expenditure change E_hat / P_hat (real income when net exports are zero)."""
        return self.E_hat / self.price_index_hat

    @cached_property
    def relative_wage_hat(self) -> np.ndarray:
        """(N,) wage change relative to the world average: w_hat - mean(w_hat) + 1 (MODEL §5.1)."""
        return self.w_hat - self.w_hat.mean() + 1

    # ------------------------------------------------------------------------------- flows
    @cached_property
    def sales(self) -> np.ndarray:
        """(N, S) counterfactual sales R' of each exporter and sector (output at world prices)."""
        return self.trade.sum(axis=1)

    @cached_property
    def tariff_revenue(self) -> np.ndarray:
        """(N,) counterfactual tariff revenue T'_j = sum t' X', data units."""
        return np.einsum("ijs,ijs->j", self.policy.tariffs, self.trade)

    @cached_property
    def exports(self) -> np.ndarray:
        """(N,) counterfactual exports (excluding domestic sales), world prices."""
        return self.trade.sum(axis=(1, 2)) - _diagonal(self.trade).sum(axis=1)

    @cached_property
    def imports(self) -> np.ndarray:
        """(N,) counterfactual imports at world prices."""
        return self.trade.sum(axis=(0, 2)) - _diagonal(self.trade).sum(axis=1)

    @cached_property
    def sector_exports(self) -> np.ndarray:
        """(N, S) counterfactual exports by exporter and sector."""
        return self.trade.sum(axis=1) - _diagonal(self.trade)

    @cached_property
    def sector_imports(self) -> np.ndarray:
        """(N, S) counterfactual imports by importer and sector."""
        return self.trade.sum(axis=0) - _diagonal(self.trade)

    @cached_property
    def profits_per_wage_hat(self) -> np.ndarray:
        """(N,) aggregate profits deflated by the own wage (MODEL §5.1); NaN without profits."""
        base = (self.profit_share * self.world.trade.sum(axis=1)).sum(axis=1)
        new = (self.profit_share * self.sales).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(base > 0, new / np.where(base > 0, base, 1) / self.w_hat, np.nan)

    # ------------------------------------------------------------- government welfare (§3.6)
    def government_welfare_hat(self, weights: np.ndarray | None = None) -> np.ndarray:
        """(N,) G_hat: weighted industry income (sales + wage-bill share of tariff revenue) over P_hat.

        Args:
            weights: (N, S) political-economy weights lambda >= 0 (None: all ones, so G_hat = W_hat
                when trade is balanced). Only relative weights within a country matter.
        """
        weights = np.ones(self.sales.shape) if weights is None else np.asarray(weights, dtype=float)
        base_income = _welfare.industry_income(self.world.trade.sum(axis=1), self.world.tariff_revenue, self.profit_share)
        new_income = _welfare.industry_income(self.sales, self.tariff_revenue, self.profit_share)
        return np.asarray(_welfare.government_welfare_hat(weights, base_income, new_income, self.price_index_hat))

    # ------------------------------------------------- first-order welfare decomposition (§3.7)
    @cached_property
    def decomposition_pct(self) -> dict[str, np.ndarray]:
        """(N,) terms-of-trade, profit-shifting and trade-volume effects, percent of expenditure.

        A differential decomposition at baseline tariffs; for large shocks its parts do not sum to
        the welfare change.
        """
        X, t = self.world.trade, self.world.tariffs
        E = self.world.expenditure
        dw = self.w_hat - 1
        d_profit = np.where(X.sum(axis=1) > 0, self.sales / np.where(X.sum(axis=1) > 0, X.sum(axis=1), 1), 1) - 1
        profits = self.profit_share * X.sum(axis=1)
        imports = X.sum(axis=2)  # (N_exporter, N_importer)
        tot = (imports * (dw[None, :] - dw[:, None])).sum(axis=0) / E
        prof = (profits * (d_profit - dw[:, None])).sum(axis=1) / E
        trd = np.einsum("ijs,ijs->j", t, (self.trade - X) - X * dw[:, None, None]) / E
        return {"terms_of_trade": 100 * tot, "profit_shifting": 100 * prof, "trade_volume": 100 * trd}

    # ------------------------------------------------------------------------- presentation
    def to_frame(self):
        """The canonical long table: level, country, partner, sector, variable, value, unit."""
        from tariffsim.results import equilibrium_frame

        return equilibrium_frame(self)

    def country_table(self):
        """One row per country, one column per headline variable (percent changes)."""
        from tariffsim.results import country_table

        return country_table(self)

    def summary(self) -> str:
        """A plain-text table of the headline results."""
        from tariffsim.results import summary_text

        return summary_text(self)


def _diagonal(cube: np.ndarray) -> np.ndarray:
    """(N, S) the domestic entries cube[i, i, s]."""
    idx = np.arange(cube.shape[0])
    return cube[idx, idx, :]

