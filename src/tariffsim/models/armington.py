"""Multi-sector Armington / perfect competition: the same world, no profits.

Goods are differentiated by origin with elasticity sigma_s (trade elasticity sigma_s - 1), prices equal
unit labour costs, and all sales are labour income. Useful to compare model classes on one scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tariffsim.models._multisector import MultiSectorModel


@dataclass(frozen=True)
class Armington(MultiSectorModel):
    """Perfect competition: profit share 0."""

    name: ClassVar[str] = "armington"

    def profit_share(self, sigma: np.ndarray) -> np.ndarray:
        return np.zeros_like(np.asarray(sigma, dtype=float))
