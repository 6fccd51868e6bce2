"""One-sector structural gravity (Yotov et al. 2016, ch. 2; Larch & Yotov 2016) as pure ``jax.numpy`` functions.

Notation (N countries, exporter i, importer j; X model-consistent baseline flows, Y = X.sum(1) output,
E = X.sum(0) expenditure, Y_w world output, sigma the elasticity of substitution):

Gravity:  X_ij = Y_i E_j / Y_w * T_ij / (Pi_i^(1-sigma) P_j^(1-sigma)),  T = t^(1-sigma)        (2-4)
MRs:      Pi_i^(1-sigma) = sum_j T_ij E_j / Y_w / P_j^(1-sigma)                                (2-5)
          P_j^(1-sigma)  = sum_i T_ij Y_i / Y_w / Pi_i^(1-sigma)                               (2-6)
Prices:   Y_i / Y_w = (gamma_i p_i Pi_i)^(1-sigma), Y_i = p_i Q_i (endowments Q fixed)

Counterfactuals are solved in changes (exact hat algebra on the baseline flows X); the numeraire is
the inward multilateral resistance of the reference country, P_hat_ref = 1. Two systems:

- full endowment GE: unknowns u = ln p_hat (N); market clearing ln sum_j X'_ij = ln Y'_i for every
  i but the reference, whose equation (redundant by Walras' law) is replaced by ln P_hat_ref^(1-sigma) = 0;
- conditional GE: Y and E fixed, unknowns u = (ln Pi_hat (N), ln P_hat without the reference (N-1));
  equations (2-5) for every i and (2-6) for every j but the reference (implied by the others).

The same log-MR equations, ``a_i = ln sum_j exp(A_ij - b_j)`` and ``b_j = ln sum_i exp(B_ij - a_i)``,
also give the baseline MRs in levels (``A = ln T + ln e``, ``B = ln T + ln y`` with output and
expenditure shares of world output); in logs every unknown is O(1) whatever the units of trade.

The reference country enters as a one-hot vector (``Baseline.reference``), so one compiled solver
serves every reference country.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tariffsim._jax import jax, jnp


class Baseline(NamedTuple):
    """Baseline arrays (a JAX pytree): trade X (N,N), output Y (N,), expenditure E (N,), sigma (),
    reference (N,) one-hot of the numeraire country."""

    trade: jnp.ndarray
    output: jnp.ndarray
    expenditure: jnp.ndarray
    sigma: jnp.ndarray
    reference: jnp.ndarray


class Outcome(NamedTuple):
    """Counterfactual at a point ``u``: flows X' (N,N,1) in data units and hats (N,) of the factory-gate
    price (``w_hat`` = ``p_hat``), output, expenditure and the multilateral resistances."""

    trade: jnp.ndarray
    w_hat: jnp.ndarray
    E_hat: jnp.ndarray
    price_index_sector_hat: jnp.ndarray  # (N,1): the inward MR change P_hat
    p_hat: jnp.ndarray
    Y_hat: jnp.ndarray
    Pi_hat: jnp.ndarray
    P_hat: jnp.ndarray


def one_hot(n: int, k: int) -> np.ndarray:
    out = np.zeros(n)
    out[k] = 1.0
    return out


def baseline_arrays(trade, sigma, reference: int) -> Baseline:
    """Baseline of flows ``trade`` (N,N), ``sigma`` and the reference country's index (numpy arrays)."""
    X = np.asarray(trade, dtype=np.float64)
    return Baseline(X, X.sum(axis=1), X.sum(axis=0), np.float64(sigma), one_hot(X.shape[0], reference))


# ----------------------------------------------------------------------------- log-MR equations
def logsumexp(x, axis: int):
    """ln sum exp(x) along ``axis``, stable; entries may be -inf (zero flows), not a whole slice."""
    top = jax.lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True))
    return jnp.squeeze(jnp.log(jnp.sum(jnp.exp(x - top), axis=axis, keepdims=True)) + top, axis=axis)


def mr_residual(a, b, A, B):
    """(2N,) residuals of the log-MR equations: [a - ln sum_j exp(A - b), b - ln sum_i exp(B - a)]."""
    return jnp.concatenate([a - logsumexp(A - b[None, :], axis=1), b - logsumexp(B - a[:, None], axis=0)])


def mr_jacobian(a, b, A, B):
    """(2N, 2N) derivative of ``mr_residual`` in (a, b)."""
    n = a.shape[0]
    row = A - b[None, :]
    row_share = jnp.exp(row - logsumexp(row, axis=1)[:, None])  # d/db_k of -ln sum = +share
    col = B - a[:, None]
    col_share = jnp.exp(col - logsumexp(col, axis=0)[None, :])
    jac = jnp.eye(2 * n)
    return jac.at[:n, n:].set(row_share).at[n:, :n].set(col_share.T)


def with_reference(rest, reference):
    """(N,) values with 0 at the reference (one-hot ``reference`` (N,)) and ``rest`` (N-1,) elsewhere."""
    n = reference.shape[0]
    if n == 1:
        return jnp.zeros(1)
    k = jnp.arange(n)
    ref = jnp.argmax(reference)
    return jnp.where(k == ref, 0.0, rest[jnp.clip(k - (k > ref), 0, n - 2)])


def _kept(reference):
    """(2N-1,) positions of (a, b) without b_ref: the unknowns and equations of a square MR system."""
    n = reference.shape[0]
    ref = jnp.argmax(reference)
    k = jnp.arange(n - 1)
    return jnp.concatenate([jnp.arange(n), n + k + (k >= ref)])


class LevelSystem(NamedTuple):
    """The MR equations in levels: A = ln T + ln e (N,N), B = ln T + ln y (N,N), reference one-hot (N,)."""

    A: jnp.ndarray
    B: jnp.ndarray
    reference: jnp.ndarray


def level_system(T, Y, E, reference: int) -> LevelSystem:
    """The MR system in levels of trade costs T (N,N), output and expenditure (N,) (numpy arrays)."""
    Y, E = np.asarray(Y, dtype=np.float64), np.asarray(E, dtype=np.float64)
    world = Y.sum()
    with np.errstate(divide="ignore"):
        logT = np.log(np.asarray(T, dtype=np.float64))  # -inf for T = 0
    return LevelSystem(logT + np.log(E / world)[None, :], logT + np.log(Y / world)[:, None],
                       one_hot(Y.shape[0], reference))


def _split(z, reference):
    n = reference.shape[0]
    return z[:n], with_reference(z[n:], reference)


def level_residuals(z, system: LevelSystem):
    """(2N-1,) the square system in z = (a (N), b without b_ref (N-1)), b_ref = 0."""
    a, b = _split(z, system.reference)
    return mr_residual(a, b, system.A, system.B)[_kept(system.reference)]


def level_jacobian(z, system: LevelSystem):
    a, b = _split(z, system.reference)
    keep = _kept(system.reference)
    return mr_jacobian(a, b, system.A, system.B)[keep][:, keep]


def level_full_residuals(z, system: LevelSystem):
    """(2N,) every MR equation, the one dropped for the reference included."""
    a, b = _split(z, system.reference)
    return mr_residual(a, b, system.A, system.B)


@jax.jit
def sinkhorn_start(system: LevelSystem, target=1e-3, sweeps=500):
    """A start for Newton: alternate the two MR equations (log-domain matrix balancing, which converges
    for any connected T) until every residual is below ``target``; returns z for ``level_residuals``."""
    n = system.reference.shape[0]

    def sweep(state):
        k, a, b = state
        a = logsumexp(system.A - b[None, :], axis=1)
        b = logsumexp(system.B - a[:, None], axis=0)
        shift = b @ system.reference
        return k + 1, a + shift, b - shift

    def going(state):
        k, a, b = state
        return (k < sweeps) & (jnp.max(jnp.abs(mr_residual(a, b, system.A, system.B))) >= target)

    _, a, b = jax.lax.while_loop(going, sweep, (0, jnp.zeros(n), jnp.zeros(n)))
    return jnp.concatenate([a, b])[_kept(system.reference)]


# ---------------------------------------------------------------------------- in changes
def _cost_hat(base: Baseline, policy):
    """(N,N) T_hat = d_hat^(1-sigma) from the policy's iceberg-cost changes (one sector; None: no change)."""
    if policy.trade_cost_hat is None:
        return jnp.ones(base.trade.shape)
    return policy.trade_cost_hat[:, :, 0] ** (1 - base.sigma)


def expenditure(Y_new, Y, E, imbalance: str):
    """Counterfactual expenditure E' (N,) and dE'/du (N, N) for output Y' = Y * exp(u).

    ``multiplicative``: E'_j = phi_j Y'_j * (sum Y' / sum phi Y'), phi = E/Y: each country keeps its
        expenditure-to-output ratio up to one common factor that keeps world spending = world output.
    ``additive``: E'_j = Y'_j + D_j * (sum Y' / sum Y), D = E - Y: deficits fixed as shares of world output.
    Both are homogeneous of degree one in prices, so the choice of numeraire does not change real results.
    """
    world_new, world = Y_new.sum(), Y.sum()
    if imbalance == "multiplicative":
        phi = E / Y
        scale = world_new / (phi * Y_new).sum()
        E_new = phi * Y_new * scale
        dlog_scale = Y_new / world_new - phi * Y_new / (phi * Y_new).sum()
        return E_new, E_new[:, None] * (jnp.eye(Y.shape[0]) + dlog_scale[None, :])
    D = E - Y
    return Y_new + D * world_new / world, jnp.diag(Y_new) + jnp.outer(D, Y_new) / world


def _full_state(u, base: Baseline, policy, imbalance: str):
    """Counterfactual of the full endowment GE at u = ln p_hat: (X', weights w', Q = P_hat^(1-sigma),
    Y', E', dE'/du)."""
    s = base.sigma
    Y_new = base.output * jnp.exp(u)
    E_new, dE = expenditure(Y_new, base.output, base.expenditure, imbalance)
    weight = base.trade / base.expenditure[None, :] * _cost_hat(base, policy) * jnp.exp((1 - s) * u)[:, None]
    Q = weight.sum(axis=0)
    w = weight / Q[None, :]  # counterfactual import shares w'_kj
    return w * E_new[None, :], w, Q, Y_new, E_new, dE


def full_residuals_square(u, base: Baseline, policy, imbalance: str):
    """(N,) ln(sum_j X'_ij) - ln Y'_i for every i but the reference; ln P_hat_ref^(1-sigma) for it."""
    X_new, _, Q, Y_new, _, _ = _full_state(u, base, policy, imbalance)
    clearing = jnp.log(X_new.sum(axis=1)) - jnp.log(Y_new)
    return jnp.where(base.reference > 0, jnp.log(Q) @ base.reference, clearing)


def full_jacobian(u, base: Baseline, policy, imbalance: str):
    """(N, N) derivative of ``full_residuals_square``:
    d ln S_i / du_k = (1-sigma)(delta_ik - sum_j X'_ij w'_kj / S_i) + sum_j X'_ij dlnE'_j/du_k / S_i."""
    s = base.sigma
    X_new, w, _, _, E_new, dE = _full_state(u, base, policy, imbalance)
    S = X_new.sum(axis=1)
    eye = jnp.eye(u.shape[0])
    jac = (1 - s) * (eye - (X_new @ w.T) / S[:, None]) + (X_new / E_new[None, :]) @ dE / S[:, None] - eye
    return jnp.where(base.reference[:, None] > 0, (1 - s) * (w @ base.reference)[None, :], jac)


def full_outcome(u, base: Baseline, policy, imbalance: str) -> Outcome:
    """Counterfactual of the full endowment GE; Pi_hat from (2-5) in changes."""
    s = base.sigma
    X_new, _, Q, Y_new, E_new, _ = _full_state(u, base, policy, imbalance)
    p_hat = jnp.exp(u)
    E_hat = E_new / base.expenditure
    world_hat = Y_new.sum() / base.output.sum()
    outward = (base.trade / base.output[:, None] * _cost_hat(base, policy) * (E_hat / Q)[None, :]).sum(axis=1)
    Pi_hat = (outward / world_hat) ** (1 / (1 - s))
    P_hat = Q ** (1 / (1 - s))
    return Outcome(X_new[:, :, None], p_hat, E_hat, P_hat[:, None], p_hat, p_hat, Pi_hat, P_hat)


def _checks(out: Outcome, base: Baseline, policy, prices: bool):
    """Every equation at the outcome, relative: market clearing (N), budgets (N), (2-5) (N), (2-6) (N),
    the factory-gate price equation (N, when ``prices``) and the numeraire (1)."""
    s = base.sigma
    X_new = out.trade[:, :, 0]
    T_hat = _cost_hat(base, policy)
    Y_new, E_new = base.output * out.Y_hat, base.expenditure * out.E_hat
    world_hat = Y_new.sum() / base.output.sum()
    outward = (base.trade / base.output[:, None] * T_hat * (out.E_hat / out.P_hat ** (1 - s))[None, :]).sum(axis=1)
    inward = (base.trade / base.expenditure[None, :] * T_hat * (out.Y_hat / out.Pi_hat ** (1 - s))[:, None]).sum(axis=0)
    parts = [X_new.sum(axis=1) / Y_new - 1, X_new.sum(axis=0) / E_new - 1,
             outward / world_hat / out.Pi_hat ** (1 - s) - 1, inward / world_hat / out.P_hat ** (1 - s) - 1]
    if prices:
        parts.append(out.Y_hat / world_hat / (out.p_hat * out.Pi_hat) ** (1 - s) - 1)
    parts.append((out.P_hat @ base.reference - 1)[None])
    return jnp.concatenate(parts)


def full_full_residuals(u, base: Baseline, policy, imbalance: str):
    """(5N+1,) every equation of the full endowment GE (see ``_checks``)."""
    return _checks(full_outcome(u, base, policy, imbalance), base, policy, prices=True)


def _conditional_logs(u, base: Baseline):
    """(a, b) = (1-sigma) (ln Pi_hat, ln P_hat) (N each) from u = (ln Pi_hat, ln P_hat without the reference)."""
    n = base.reference.shape[0]
    return (1 - base.sigma) * u[:n], (1 - base.sigma) * with_reference(u[n:], base.reference)


def _conditional_system(base: Baseline, policy):
    """(2-5), (2-6) in changes with Y, E fixed: A = ln(X/Y) + ln T_hat, B = ln(X/E) + ln T_hat."""
    log_hat = jnp.log(_cost_hat(base, policy))
    logX = jnp.log(base.trade)
    return logX - jnp.log(base.output)[:, None] + log_hat, logX - jnp.log(base.expenditure)[None, :] + log_hat


def conditional_residuals(u, base: Baseline, policy):
    """(2N-1,) (2-5) for every i and (2-6) for every j but the reference, in logs."""
    a, b = _conditional_logs(u, base)
    A, B = _conditional_system(base, policy)
    return mr_residual(a, b, A, B)[_kept(base.reference)]


def conditional_jacobian(u, base: Baseline, policy):
    a, b = _conditional_logs(u, base)
    A, B = _conditional_system(base, policy)
    keep = _kept(base.reference)
    return (1 - base.sigma) * mr_jacobian(a, b, A, B)[keep][:, keep]


def conditional_outcome(u, base: Baseline, policy) -> Outcome:
    """X'_ij = X_ij T_hat_ij / (Pi_hat_i P_hat_j)^(1-sigma) with Y and E fixed."""
    a, b = _conditional_logs(u, base)
    X_new = base.trade * _cost_hat(base, policy) * jnp.exp(-a[:, None] - b[None, :])
    ones = jnp.ones_like(a)
    Pi_hat, P_hat = jnp.exp(a / (1 - base.sigma)), jnp.exp(b / (1 - base.sigma))
    return Outcome(X_new[:, :, None], ones, ones, P_hat[:, None], ones, ones, Pi_hat, P_hat)


def conditional_full_residuals(u, base: Baseline, policy):
    """(4N+1,) every equation of the conditional GE (see ``_checks``; no price equation)."""
    return _checks(conditional_outcome(u, base, policy), base, policy, prices=False)
