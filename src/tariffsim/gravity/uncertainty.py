"""Confidence intervals for GE counterfactuals: Monte Carlo over the coefficients, or a pairs bootstrap.

Both map a coefficient vector (the cost terms of ``LinearCosts``, K of them) to one verified GE:

``monte_carlo``    beta_d ~ N(beta_hat, V) with V the estimated covariance (clustered by default);
                   all draws in one vectorised call, then one GE per draw.
``bootstrap_pairs`` resample clusters (country pairs) with replacement, re-estimate PPML on each
                   resample, then one GE per draw with its coefficients.

Pair effects and the data of the GE year stay at their full-sample values in every draw: the
intervals measure the uncertainty of the cost coefficients, as propagated through the GE.
Draws run through dask.distributed (see ``_parallel.run_chunks``); draw d depends only on the seed
and d, so serial and parallel runs give identical numbers. A draw whose GE (or re-estimation) fails
is kept as NaN and listed with its reason; percentiles use the successful draws, and the result
says how many failed and why.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.errors import ConvergenceError, DataValidationError, TariffsimError
from tariffsim.gravity import ge
from tariffsim.gravity._parallel import run_chunks
from tariffsim.gravity.costs import LinearCosts
from tariffsim.solve import SolverConfig

# Exceptions that make one draw fail (recorded with their message); anything else is a bug and propagates.
DRAW_FAILURES = (TariffsimError, ArithmeticError, np.linalg.LinAlgError, ValueError)


@dataclass(frozen=True)
class GEOptions:
    """The GE solved in every draw (see ``ge.counterfactual``); ``solver.tol`` is the largest relative
    residual of any equation accepted."""

    reference: str
    kind: ge.Kind = "full"
    imbalance: ge.Imbalance = "multiplicative"
    solver: SolverConfig = field(default_factory=SolverConfig)


@dataclass(frozen=True)
class DrawFailure:
    """One failed draw: its number (0-based), the exception type and message."""

    draw: int
    error: str
    message: str


@dataclass(frozen=True, eq=False)
class GEIntervals:
    """Distribution of GE percent changes over coefficient draws.

    method        ``"monte-carlo"`` or ``"bootstrap-pairs"``
    countries     N names; variables: V names (``ge.VARIABLES``); terms: K coefficient names
    estimate      (V, N) percent changes at the point estimates
    coefficients  (D, K) coefficients of each draw (NaN where a bootstrap re-estimation failed)
    values        (D, V, N) percent changes of each draw; NaN for failed draws
    failures      one ``DrawFailure`` per failed draw, in draw order
    max_residual  largest verified GE residual among the successful draws (NaN when none)
    """

    method: str
    countries: tuple[str, ...]
    variables: tuple[str, ...]
    terms: tuple[str, ...]
    estimate: np.ndarray
    coefficients: np.ndarray
    values: np.ndarray
    failures: tuple[DrawFailure, ...]
    confidence: float
    seed: int
    max_residual: float

    @property
    def n_draws(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_failed(self) -> int:
        return len(self.failures)

    def succeeded(self) -> np.ndarray:
        """Boolean mask of the draws that solved (D,)."""
        ok = np.ones(self.n_draws, dtype=bool)
        ok[np.array([f.draw for f in self.failures], dtype=np.int64)] = False
        return ok

    def bounds(self) -> tuple[float, float]:
        """Lower and upper percentiles of the central ``confidence`` interval, e.g. (2.5, 97.5)."""
        tail = (100 - self.confidence) / 2
        return tail, 100 - tail

    def to_frame(self) -> pd.DataFrame:
        """One row per country and variable: estimate, percentiles ``p<low>``, ``p50``, ``p<high>`` of the
        percent changes over successful draws, ``draws`` (successful) and ``failed``."""
        low, high = self.bounds()
        ok = self.values[self.succeeded()]
        q = np.percentile(ok, [low, 50, high], axis=0) if len(ok) else np.full((3, *self.estimate.shape), np.nan)
        n = len(self.countries)
        frame = pd.DataFrame({
            "country": np.tile(self.countries, len(self.variables)),
            "variable": np.repeat(self.variables, n),
            "estimate": self.estimate.ravel(),
            f"p{low:g}": q[0].ravel(), "p50": q[1].ravel(), f"p{high:g}": q[2].ravel(),
        })
        frame["draws"] = len(ok)
        frame["failed"] = self.n_failed
        return frame

    def failure_table(self) -> pd.DataFrame:
        """Failed draws: draw, error, message (empty frame with these columns when none failed)."""
        return pd.DataFrame([vars(f) for f in self.failures], columns=["draw", "error", "message"])

    def failure_counts(self) -> pd.Series:
        """Number of failed draws by reason: exception type and message, numbers in it shown as ``#``."""
        table = self.failure_table()
        masked = table["message"].str.replace(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?", "#", regex=True)
        return (table["error"] + ": " + masked).value_counts()

    def coefficient_summary(self) -> pd.DataFrame:
        """Per term: mean and standard deviation of the drawn coefficients (successful draws only)."""
        draws = self.coefficients[self.succeeded()]
        return pd.DataFrame({"mean": draws.mean(axis=0), "std": draws.std(axis=0, ddof=1) if len(draws) > 1
                             else np.nan}, index=pd.Index(self.terms, name="term"))

    def summary(self, variables: Sequence[str] = ("real_gdp", "welfare", "exports")) -> str:
        """Estimate and interval by country for a few variables, with the draw and failure counts."""
        from tariffsim.gravity.tables import render

        low, high = self.bounds()
        frame = self.to_frame()
        frame = frame[frame["variable"].isin(variables)]
        cells = frame.assign(value=[f"{e:.3f} [{a:.3f}, {b:.3f}]" for e, a, b in
                                    zip(frame["estimate"], frame[f"p{low:g}"], frame[f"p{high:g}"], strict=True)])
        table = cells.pivot(index="country", columns="variable", values="value")[list(variables)]
        title = (f"{self.method}: % change, estimate [{self.confidence:g}% interval], "
                 f"{self.n_draws - self.n_failed} of {self.n_draws} draws")
        buffer = io.StringIO(render(table, title))
        buffer.seek(0, io.SEEK_END)
        for reason, count in self.failure_counts().items():
            buffer.write(f"failed draws: {count} x {reason}\n")
        return buffer.getvalue()

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready: method, counts, confidence, seed, the tidy table and the failures."""
        return {
            "schema": "tariffsim.gravity_intervals", "method": self.method, "draws": self.n_draws,
            "failed": self.n_failed, "confidence": self.confidence, "seed": self.seed,
            "max_residual": None if math.isnan(self.max_residual) else self.max_residual,
            "coefficients": self.coefficient_summary().reset_index().to_dict(orient="records"),
            "results": self.to_frame().to_dict(orient="records"),
            "failures": self.failure_table().to_dict(orient="records"),
        }


def draw_coefficients(beta: np.ndarray, cov: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """``draws`` x K multivariate normal draws with mean ``beta`` (K,) and covariance ``cov`` (K, K).

    One vectorised call (eigen-decomposition of ``cov``, standard normals from ``numpy.random.default_rng(seed)``);
    a covariance that is not symmetric positive semi-definite is an error.
    """
    cov = np.asarray(cov, dtype=float)
    scale = max(float(np.max(np.abs(cov))), np.finfo(float).tiny)
    if not np.allclose(cov, cov.T, rtol=0, atol=1e-12 * scale):
        raise DataValidationError("coefficient covariance is not symmetric: pass the estimate's vcov unchanged")
    eigenvalues, vectors = np.linalg.eigh(cov)
    if eigenvalues.min() < -1e-10 * scale:
        raise DataValidationError(f"coefficient covariance has a negative eigenvalue ({eigenvalues.min():.3g}): "
                                  "it is not a covariance matrix; use another vcov (e.g. hetero)")
    root = vectors * np.sqrt(np.clip(eigenvalues, 0, None))
    normals = np.random.default_rng(seed).standard_normal((draws, beta.size))
    return np.asarray(beta, dtype=float) + normals @ root.T


def monte_carlo(
    costs: LinearCosts,
    vcov: pd.DataFrame,
    options: GEOptions,
    *,
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 95.0,
    **run: Any,
) -> GEIntervals:
    """GE intervals from ``draws`` coefficient vectors drawn from N(costs.beta, vcov).

    vcov  covariance of the estimate (``GravityResult.vcov``), terms x terms; its rows for
          ``costs.terms`` are used
    run   how to run the draws: scheduler, workers, processes, chunk_size, progress, timeout
          (see ``_parallel.run_chunks``; default a LocalCluster)
    """
    missing = [t for t in costs.terms if t not in vcov.index]
    if missing:
        raise DataValidationError(f"no covariance for term(s) {missing}; vcov has {list(vcov.index)}")
    cov = vcov.loc[list(costs.terms), list(costs.terms)].to_numpy(float)
    betas = draw_coefficients(costs.beta, cov, draws, seed)
    return _collect("monte-carlo", costs, options, betas, seed, confidence, _monte_carlo_chunk,
                    {"costs": costs, "options": options}, **run)


def bootstrap_pairs(
    sample: pd.DataFrame,
    formula: str,
    costs: LinearCosts,
    options: GEOptions,
    *,
    cluster: str = "pair",
    draws: int = 200,
    seed: int = 0,
    confidence: float = 95.0,
    tol: float = 1e-10,
    **run: Any,
) -> GEIntervals:
    """GE intervals from a bootstrap over clusters (pairs): each draw resamples the clusters of ``sample``
    with replacement (rows of a cluster drawn k times enter k times), re-estimates ``formula`` by PPML
    and solves the GE with the new coefficients. Draw d uses ``SeedSequence(seed).spawn(draws)[d]``.

    sample   the estimation sample (``ExperimentRun.sample``), with the ``cluster`` column
    run      scheduler, workers, processes, chunk_size, progress, timeout (see ``monte_carlo``)
    """
    if cluster not in sample.columns:
        raise DataValidationError(f"cluster column {cluster!r} not in the estimation sample; "
                                  f"columns: {list(sample.columns)}")
    seeds = np.random.SeedSequence(seed).spawn(draws)
    shared = {"sample": sample, "costs": costs, "options": options, "formula": formula, "cluster": cluster,
              "tol": tol}
    return _collect("bootstrap-pairs", costs, options, seeds, seed, confidence, _bootstrap_chunk, shared, **run)


def _collect(
    method: str, costs: LinearCosts, options: GEOptions, items: Sequence[Any], seed: int, confidence: float,
    chunk_func: Callable[..., list], shared: dict[str, Any], *, chunk_size: int | None = None,
    **run: Any,
) -> GEIntervals:
    """Split ``items`` (one per draw) in chunks, run them, assemble a GEIntervals."""
    if len(items) < 1:
        raise DataValidationError("draws must be at least 1")
    if not 0 < confidence < 100:
        raise DataValidationError(f"confidence={confidence}: give a percentage between 0 and 100, e.g. 95")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as in the draws (see _parallel): same rounding, fast
        point, _ = _solve_draw(costs, costs.beta, options)
    size = chunk_size or max(1, min(50, math.ceil(len(items) / 20)))
    starts = range(0, len(items), size)
    chunks = [(start, items[start:start + size]) for start in starts]
    outcomes = run_chunks(chunk_func, chunks, shared, sizes=[len(c[1]) for c in chunks], **run)
    rows = [row for chunk in outcomes for row in chunk]
    failures = tuple(DrawFailure(d, *row[2]) for d, row in enumerate(rows) if row[2] is not None)
    if len(failures) == len(rows):
        reasons = pd.Series([f"{f.error}: {f.message}" for f in failures]).value_counts()
        raise ConvergenceError(f"all {len(rows)} {method} draws failed; reasons: "
                               + "; ".join(f"{n} x {r}" for r, n in reasons.items()))
    values = np.stack([row[1] for row in rows])
    residuals = [row[3] for row in rows if row[2] is None]
    return GEIntervals(method, costs.countries, ge.VARIABLES, costs.terms, point,
                       np.stack([row[0] for row in rows]), values, failures, float(confidence), int(seed),
                       float(max(residuals)))


def _solve_draw(costs: LinearCosts, beta: np.ndarray, options: GEOptions) -> tuple[np.ndarray, float]:
    """Percent changes (V, N) and verified residual of the GE for coefficients ``beta``; floating-point
    overflow or invalid operations raise (FloatingPointError) instead of passing on inf/NaN."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        result = ge.counterfactual(costs.economy(beta), costs.T_new(beta), reference=options.reference,
                                   kind=options.kind, imbalance=options.imbalance, config=options.solver)
    return result.change_percent(), result.max_residual


def _draw(costs: LinearCosts, options: GEOptions, coefficients: Callable[[], np.ndarray]) -> tuple:
    """One draw as (beta (K,), changes (V, N), failure (type, message) or None, residual).

    ``coefficients()`` gives the draw's beta (or raises, e.g. a failed re-estimation); a failure in it
    or in the GE leaves NaN changes and records the reason.
    """
    beta = np.full(len(costs.terms), np.nan)
    try:
        beta = coefficients()
        values, residual = _solve_draw(costs, beta, options)
        return beta, values, None, residual
    except DRAW_FAILURES as error:
        reason = (type(error).__name__, str(error).strip().splitlines()[0][:300])
        return beta, np.full((len(ge.VARIABLES), len(costs.countries)), np.nan), reason, math.nan


def _monte_carlo_chunk(chunk: tuple[int, np.ndarray], costs: LinearCosts, options: GEOptions) -> list[tuple]:
    """One ``_draw`` row per coefficient vector of the chunk."""
    return [_draw(costs, options, lambda beta=beta: beta) for beta in chunk[1]]


def _bootstrap_chunk(
    chunk: tuple[int, Sequence[np.random.SeedSequence]], sample: pd.DataFrame, costs: LinearCosts,
    options: GEOptions, formula: str, cluster: str, tol: float,
) -> list[tuple]:
    """One ``_draw`` row per seed of the chunk: resample clusters, re-estimate, solve the GE."""
    codes, _ = pd.factorize(sample[cluster])
    return [_draw(costs, options, partial(_reestimate, child, sample, codes, formula, costs.terms, tol))
            for child in chunk[1]]


def _reestimate(child: np.random.SeedSequence, sample: pd.DataFrame, codes: np.ndarray, formula: str,
                terms: tuple[str, ...], tol: float) -> np.ndarray:
    """Coefficients (K,) of ``formula`` on a resample of ``sample``: each cluster (``codes``, (rows,)) drawn
    with replacement and its rows repeated as often as drawn. Raises when a term is not estimated."""
    from tariffsim.gravity.estimate import estimate

    n_clusters = int(codes.max()) + 1
    counts = np.random.default_rng(child).multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters))
    resample = sample.iloc[np.repeat(np.arange(len(sample)), counts[codes])]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = estimate(resample, formula, vcov="iid", tol=tol)
    estimates = fit.coefficients["estimate"].reindex(list(terms))
    if estimates.isna().any():
        notes = " ".join(str(caught[0].message).split())[:200] if caught else ""
        raise DataValidationError(f"term(s) {list(estimates.index[estimates.isna()])} not estimated in this "
                                  f"resample (collinear with the fixed effects or constant). {notes}")
    return estimates.to_numpy(float)
