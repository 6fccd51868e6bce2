"""Import JAX configured for tariffsim: 64-bit floats (1e-10 tolerances need them), CPU by default,
single-threaded XLA kernels.

Import ``jax``/``jnp`` from here so the configuration is applied before any array is made.

Small dense solves (a Newton step on a few hundred unknowns) run faster on one thread than on two
when the machine is busy: the 7 x 33 Ossa solve took 3.4 ms with XLA's default threading and 1.3 ms
single-threaded with both cores busy (``benchmarks/solve_ossa.py`` beside two busy loops), so XLA's
intra-op threading is turned off unless the user's ``XLA_FLAGS`` says otherwise; parallelism comes
from dask workers and processes (``tariffsim.parallel``).
"""

from __future__ import annotations

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
SINGLE_THREADED = "--xla_cpu_multi_thread_eigen=false"
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {SINGLE_THREADED}".strip()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)

# Compiled solvers are kept on disk between runs (first solve of a command: about 4 s -> 0.4 s), in
# TARIFFSIM_JAX_CACHE (default ~/.cache/tariffsim/jax; "off" disables it). JAX keys entries by the
# program and the JAX/XLA versions and writes them atomically.
_cache = os.environ.get("TARIFFSIM_JAX_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "tariffsim", "jax"))
if _cache.lower() != "off":
    jax.config.update("jax_compilation_cache_dir", _cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)

__all__ = ["jax", "jnp"]
