"""Multi-sector Armington / perfect competition: the same world, no profits.

Goods are differentiated by origin with elasticity sigma_s (trade elasticity sigma_s - 1), prices equal
unit labour costs, and all sales are labour income. Useful to compare model classes on one scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tariffsim.models._multisector import DECOMPOSITION_PARTS, MultiSectorModel
from tariffsim.models._variables import decomposition_variables, trade_variables
from tariffsim.models.base import Variable

NO_PROFITS = tuple(part for part in DECOMPOSITION_PARTS if part[0] != "profit_shifting")


@dataclass(frozen=True)
class Armington(MultiSectorModel):
    """Perfect competition: profit share 0."""

    name: ClassVar[str] = "armington"
    variables: ClassVar[tuple[Variable, ...]] = trade_variables(
        decomposition=decomposition_variables(NO_PROFITS, "pct_of_expenditure"))

    welfare_parts_table: ClassVar[tuple[tuple[str, str], ...]] = (
        ("welfare", "welfare"), ("terms_of_trade", "terms of trade"), ("trade_volume", "trade volume"))

    def sector_profit_share(self, sigma: np.ndarray) -> np.ndarray:
        return np.zeros_like(np.asarray(sigma, dtype=float))
