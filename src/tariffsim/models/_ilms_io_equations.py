"""The one-sector input-output ("roundabout production") variant of ILMS (2025) (MODEL_ILMS2025.md §11.2), as
pure ``jax.numpy`` functions on the ``_ilms_equations.Baseline`` of ``input_output_flows`` (E^IO, Y^IO,
T^IO, value-added share β).

Unknowns u = (ln ŵ, ln L̂, ln P̂), 3N. Gross spending E' (final demand plus intermediates), the spec's
fourth unknown, solves the budget (ERR2), which is linear in E':

    E'_j = ρ_j E'_j + Y'_j + (1-β) Σ_i (1-ν_i) X'[j,i] + T_j ΣY'/ΣY,   X'[j,i] = λ'[j,i] E'_i / (1 + t[j,i])

(one N x N linear solve); the budget is still checked. Then, with ĉ_j = ŵ_j^β P̂_j^(1-β) and
ent_j = (ŵ_j / P̂_j)^(1-β):

    a[j,i] = λ[j,i] (ĉ_j / (ent_j L̂_j)^ψ)^-ε (1 + t[j,i])^(-ε φ_i)
    income   β Σ_i (1-ν_i) X'[j,i] + ν_j Σ_n X'[n,j] = ŵ_j L̂_j Y_j   (the last replaced by the numeraire
             Σ_i (ŵ_i - 1) Y_i = 0: income-weighted mean wage change)
    labour   L̂_i = (τ̂_i ŵ_i / P̂_i)^κ
    prices   P̂_i = (Ê_i / ŵ_i)^(1-φ_i) A_i^(-1/ε)

The Jacobian is ``jax.jacfwd`` (no analytic form here). Welfare is based on final spending (§11.2):
Ec = Y + T, Êc = (R + Y' + T ΣY'/ΣY) / Ec, δ = Ec / (Ec - κ (1-τ) Y / (1+κ)), Ŵ = δ Êc/P̂ + (1-δ) ŵL̂/P̂.
"""

from __future__ import annotations

from typing import NamedTuple

from tariffsim._jax import jnp
from tariffsim.models._ilms_equations import Baseline, Outcome, tariff_matrix

jacobian = None  # jax.jacfwd of ``residuals``


class State(NamedTuple):
    lw: jnp.ndarray
    lL: jnp.ndarray
    lP: jnp.ndarray
    log_A: jnp.ndarray
    rho: jnp.ndarray
    Y_new: jnp.ndarray
    E_new: jnp.ndarray
    tax: jnp.ndarray
    X_new: jnp.ndarray
    income: jnp.ndarray  # the left side of the income equation
    transfers_new: jnp.ndarray  # T ΣY'/ΣY


def state(u, base: Baseline, policy) -> State:
    """The counterfactual of §11.2 at u = (ln ŵ, ln L̂, ln P̂), E' from the linear budget."""
    n = u.shape[0] // 3
    lw, lL, lP = u[:n], u[n:2 * n], u[2 * n:]
    t = tariff_matrix(policy)
    beta, eps, psi = base.beta, base.epsilon, base.psi
    log_cost = beta * lw + (1 - beta) * lP - psi * ((1 - beta) * (lw - lP) + lL)
    a = base.shares * jnp.exp(-eps * log_cost)[:, None] * jnp.exp(-eps * base.phi[None, :] * jnp.log1p(t))
    A = a.sum(axis=0)
    shares_new = a / A[None, :]
    rho = (shares_new * (t / (1 + t))).sum(axis=0)
    Y_new = base.income * jnp.exp(lw + lL)
    transfers_new = base.transfers * (Y_new.sum() / base.income.sum())
    intermediates = (1 - beta) * (1 - base.nu)[None, :] * shares_new / (1 + t)  # [j, i] per unit of E'_i
    E_new = jnp.linalg.solve(jnp.diag(1 - rho) - intermediates, Y_new + transfers_new)
    X_new = shares_new * (E_new / (1 + t))
    income = beta * ((1 - base.nu)[None, :] * X_new).sum(axis=1) + base.nu * (1 - rho) * E_new
    tax = base.tax_relief * rho * E_new / Y_new
    return State(lw, lL, lP, jnp.log(A), rho, Y_new, E_new, tax, X_new, income, transfers_new)


def _log_price(s: State, base: Baseline):
    """ln of the right side of the price equation, (1-φ) ln(Ê/ŵ) - ln A / ε."""
    return (1 - base.phi) * (jnp.log(s.E_new / base.expenditure) - s.lw) - s.log_A / base.epsilon


def _numeraire(s: State, base: Baseline):
    return (jnp.exp(s.lw) - 1) @ base.income / base.income.sum()


def _log_labour(s: State, base: Baseline):
    return s.lL - base.kappa * (-jnp.log1p(-s.tax) + s.lw - s.lP)


def residuals(u, base: Baseline, policy):
    """(3N,) (income - Y') / Y (the last replaced by the numeraire; see ``_ilms_equations.residuals``), then
    labour supply and prices in logs."""
    s = state(u, base, policy)
    income = ((s.income - s.Y_new) / base.income).at[-1].set(_numeraire(s, base))
    return jnp.concatenate([income, _log_labour(s, base), s.lP - _log_price(s, base)])


def full_residuals(u, base: Baseline, policy, check_dropped: bool = True):
    """Every equation, relative: income (N; the last only when ``check_dropped``), budget (N), labour
    supply (N), price index (N), numeraire (1)."""
    s = state(u, base, policy)
    income = s.income / s.Y_new - 1
    if not check_dropped:
        income = income[:-1]
    sales_to_firms = (1 - base.beta) * ((1 - base.nu)[None, :] * s.X_new).sum(axis=1)
    budget = (s.rho * s.E_new + s.Y_new + sales_to_firms + s.transfers_new) / s.E_new - 1
    prices = jnp.exp(s.lP - _log_price(s, base)) - 1
    return jnp.concatenate([income, budget, jnp.exp(_log_labour(s, base)) - 1, prices, _numeraire(s, base)[None]])


def outcome(u, base: Baseline, policy) -> Outcome:
    """The counterfactual with the final-spending welfare of §11.2."""
    s = state(u, base, policy)
    w_hat, L_hat, P_hat = jnp.exp(s.lw), jnp.exp(s.lL), jnp.exp(s.lP)
    final = base.income + base.transfers  # Ec
    revenue = s.rho * s.E_new
    final_hat = (revenue + s.Y_new + s.transfers_new) / final
    kappa = base.kappa
    delta = final / (final - kappa * (1 - s.tax) * base.income / (1 + kappa))
    W_hat = delta * final_hat / P_hat + (1 - delta) * w_hat * L_hat / P_hat
    return Outcome(s.X_new[:, :, None], w_hat, s.E_new / base.expenditure, P_hat[:, None], L_hat, P_hat, revenue,
                   s.Y_new, s.tax, delta, W_hat)
