"""The solved Caliendo-Parro equilibrium: welfare from final-demand weights and the paper's
terms-of-trade / volume-of-trade decomposition (Caliendo and Parro 2015, §3.2, eq. 22-23)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tariffsim import welfare as _welfare
from tariffsim.equilibrium import Equilibrium


@dataclass(frozen=True, eq=False)
class CPEquilibrium(Equilibrium):
    """An ``Equilibrium`` of the Caliendo-Parro model (same fields and tables), plus:

    Attributes:
        cost_hat: (N, S) change of the input-bundle cost c (the producer price, CP eq. 10).
        final_shares: (N, S) alpha, final-demand shares: the weights of the consumer price index,
            P_hat = prod_n P_hat[j, n]^alpha[j, n], so ``welfare_hat`` = I_hat / P_hat (real income).
        value_added_shares: (N, S) beta, value added per unit of gross output.
        income: (N,) baseline income I = value added + tariff revenue + deficit, data units.

    ``E_hat`` is the change of income I (final spending), not of gross spending on goods.
    """

    cost_hat: np.ndarray
    final_shares: np.ndarray
    value_added_shares: np.ndarray
    income: np.ndarray

    @cached_property
    def sector_weights(self) -> np.ndarray:
        """(N, S) final-demand shares alpha: intermediate purchases do not enter real income."""
        return self.final_shares

    @cached_property
    def real_wage_hat(self) -> np.ndarray:
        """(N,) w_hat / P_hat."""
        return self.w_hat / self.price_index_hat

    def government_welfare_hat(self, weights: np.ndarray | None = None) -> np.ndarray:
        """(N,) weighted industry income over P_hat, with value added (not sales) as industry income."""
        weights = np.ones(self.sales.shape) if weights is None else np.asarray(weights, dtype=float)
        base = _welfare.industry_income(self.value_added_shares * self.world.trade.sum(axis=1),
                                        self.world.tariff_revenue, self.profit_share)
        new = _welfare.industry_income(self.value_added_shares * self.sales, self.tariff_revenue, self.profit_share)
        return np.asarray(_welfare.government_welfare_hat(weights, base, new, self.price_index_hat))

    @cached_property
    def decomposition_parts(self) -> dict[str, np.ndarray]:
        """(N, N, S) terms-of-trade and volume-of-trade effects of country j (first axis) by partner i
        and sector n, as fractions of j's baseline income (CP eq. 22-23, deficits held fixed):

        - terms of trade: (E[j,i,n] (c_hat[j,n] - 1) - M[i,j,n] (c_hat[i,n] - 1)) / I[j], E exports,
          M imports at world prices (domestic terms cancel);
        - volume of trade: t[i,j,n] M[i,j,n] (M_hat[i,j,n] - c_hat[i,n]) / I[j].

        The differentials are evaluated with discrete changes (hat - 1), as in the authors' code and
        their published tables; the parts sum to d ln W to first order, and for a shock as large as
        NAFTA's for Mexico they differ from the exact welfare change (reported beside them).
        """
        flows, tariffs = self.world.trade, self.world.tariffs
        cost_change = self.cost_hat - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            flow_hat = np.where(flows > 0, self.trade / np.where(flows > 0, flows, 1), 1.0)
        exports = flows * cost_change[:, None, :]  # [j, i, n]: j sells to i
        imports = np.swapaxes(flows * cost_change[:, None, :], 0, 1)  # [j, i, n]: j buys from i
        volume = np.swapaxes(tariffs * flows * (flow_hat - self.cost_hat[:, None, :]), 0, 1)
        return {"terms_of_trade": (exports - imports) / self.income[:, None, None],
                "trade_volume": volume / self.income[:, None, None]}

    @cached_property
    def decomposition_pct(self) -> dict[str, np.ndarray]:
        """(N,) terms-of-trade and volume-of-trade effects, percent of income (no profits: 0)."""
        parts = {k: 100 * v.sum(axis=(1, 2)) for k, v in self.decomposition_parts.items()}
        return {"terms_of_trade": parts["terms_of_trade"], "profit_shifting": np.zeros(self.world.n_countries),
                "trade_volume": parts["trade_volume"]}

    def welfare_frame(self) -> pd.DataFrame:
        """Countries in rows, percent: the paper's terms-of-trade and volume-of-trade parts, their sum
        (the paper's welfare measure), the exact real-income change and the real wage change."""
        parts = self.decomposition_pct
        return pd.DataFrame({"terms_of_trade": parts["terms_of_trade"], "volume_of_trade": parts["trade_volume"],
                             "paper_welfare": parts["terms_of_trade"] + parts["trade_volume"],
                             "exact_welfare": 100 * (self.welfare_hat - 1),
                             "real_wage": 100 * (self.real_wage_hat - 1)},
                            index=pd.Index(self.world.countries, name="country"))

    def decomposition_frame(self) -> pd.DataFrame:
        """Long table of the decomposition: country, partner, sector, component, value (% of income)."""
        world = self.world
        n, s = world.n_countries, world.n_sectors
        frames = [pd.DataFrame({"country": np.repeat(world.countries, n * s),
                                "partner": np.tile(np.repeat(world.countries, s), n),
                                "sector": np.tile(world.sectors, n * n), "component": name,
                                "value": 100 * part.ravel()})
                  for name, part in self.decomposition_parts.items()]
        return pd.concat(frames, ignore_index=True)
