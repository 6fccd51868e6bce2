"""Percent changes, with undefined changes (zero baseline) as NaN, never as -100% or inf."""

from __future__ import annotations

import numpy as np


def pct_change(new, old) -> np.ndarray:
    """100 * (new / old - 1) elementwise; NaN where ``old`` is 0 (the change is undefined)."""
    new, old = np.asarray(new, dtype=float), np.asarray(old, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(old != 0, 100 * (new / np.where(old != 0, old, 1) - 1), np.nan)
