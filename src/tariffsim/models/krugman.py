"""Multi-industry monopolistic competition with profits and tariff revenue (Ossa 2014).

A fixed measure of firms per country and industry charges a constant markup sigma/(sigma-1), so a
share 1/sigma_s of sales is operating profit that accrues to domestic consumers and can be shifted
across countries by tariffs (MODEL_OSSA2014.md §2-§3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tariffsim.models._multisector import DECOMPOSITION_PARTS, MultiSectorModel
from tariffsim.models._variables import country, decomposition_variables, trade_variables
from tariffsim.models.base import Variable

PROFITS = country("profits_per_wage", "pct", "aggregate profits deflated by the own wage, % change",
                  lambda e: 100 * (e.profits_per_wage_hat - 1))


@dataclass(frozen=True)
class Krugman(MultiSectorModel):
    """The Ossa (2014) model: profit share 1/sigma_s of sales."""

    name: ClassVar[str] = "krugman"
    variables: ClassVar[tuple[Variable, ...]] = trade_variables(
        own=(PROFITS,), decomposition=decomposition_variables(DECOMPOSITION_PARTS, "pct_of_expenditure"))

    welfare_parts_table: ClassVar[tuple[tuple[str, str], ...]] = (
        ("welfare", "welfare"), ("terms_of_trade", "terms of trade"), ("profit_shifting", "profit shifting"),
        ("trade_volume", "trade volume"))

    def sector_profit_share(self, sigma: np.ndarray) -> np.ndarray:
        return 1.0 / np.asarray(sigma, dtype=float)
