"""Multi-industry monopolistic competition with profits and tariff revenue (Ossa 2014).

A fixed measure of firms per country and industry charges a constant markup sigma/(sigma-1), so a
share 1/sigma_s of sales is operating profit that accrues to domestic consumers and can be shifted
across countries by tariffs (MODEL_OSSA2014.md §2-§3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tariffsim.models._multisector import MultiSectorModel


@dataclass(frozen=True)
class Krugman(MultiSectorModel):
    """The Ossa (2014) model: profit share 1/sigma_s of sales."""

    name: ClassVar[str] = "krugman"

    def profit_share(self, sigma: np.ndarray) -> np.ndarray:
        return 1.0 / np.asarray(sigma, dtype=float)
