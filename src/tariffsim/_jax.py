"""Import JAX configured for tariffsim: 64-bit floats (1e-10 tolerances need them), CPU by default.

Import ``jax``/``jnp`` from here so the configuration is applied before any array is made.
"""

from __future__ import annotations

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)

__all__ = ["jax", "jnp"]
