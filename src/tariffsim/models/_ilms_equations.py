"""The one-sector equilibrium of ILMS (2025) in changes (MODEL_ILMS2025.md §5) as pure ``jax.numpy`` functions.

Notation: j exporter, i importer; baseline shares λ[j,i] (columns sum to 1), spending E, income Y and
transfers T (N,) in data units; ν (N,) the importer's share of sales paid to its own labour; φ (N,)
the importer's tariff elasticity factor; ε the trade elasticity, κ the labour-supply elasticity, ψ
the scale elasticity; tariffs t[j,i] (the baseline has none).

Unknowns u = (ln ŵ, ln L̂), 2N. Expenditure, the spec's third unknown, is solved in closed form: tariff
revenue R_i = ρ_i E'_i with ρ_i = Σ_j λ'[j,i] t/(1+t) depending on costs only, so the budget
E'_i = R_i + Y'_i + T_i ΣY'/ΣY (§5 ERR2) gives E'_i = (Y'_i + T_i ΣY'/ΣY) / (1 - ρ_i). The budget is still
checked with every other equation (``full_residuals``). Then (§5):

    a[j,i] = λ[j,i] (ŵ_j L̂_j^-ψ)^-ε (1 + t[j,i])^(-ε φ_i),   λ' = a / Σ_j a,   A_i = Σ_j a[j,i]
    P̂_i = (Ê_i / ŵ_i)^(1-φ_i) A_i^(-1/ε),   X'[j,i] = λ'[j,i] E'_i / (1 + t[j,i])
    τ_i = R_i / Y'_i with income-tax relief (``tax_relief`` = 1), 0 with a lump-sum rebate (0), τ̂ = 1/(1 - τ)

    income   Σ_i (1-ν_i) X'[j,i] + ν_j Σ_n X'[n,j] = ŵ_j L̂_j Y_j      (ERR1; the last country's is dropped)
    numeraire Σ_i (P̂_i - 1) E_i = 0                                    (replaces it; spec: "ERR1(N)")
    labour    L̂_i = (τ̂_i ŵ_i / P̂_i)^κ                                  (ERR3)

The Newton system ((income - Y') / Y, ln L̂ - κ ln(τ̂ ŵ / P̂)) has an analytic Jacobian; the
check of every equation is relative (each side over the other, minus 1; the numeraire over world
spending). The spec's abs() on the unknowns (§15.1) is implied by the log unknowns.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tariffsim._jax import jnp


class Baseline(NamedTuple):
    """The calibration's arrays (a JAX pytree).

    shares (N,N) λ[j,i]; expenditure E, income Y, transfers T (N,), data units; nu, phi (N,); epsilon,
    kappa, psi, tax_relief (1: tariff revenue replaces an income tax; 0: lump-sum rebate) and beta
    (value-added share; 1 without input-output links) scalars; employment_weights (N,) the weights of
    the world employment change (§5: the §2.5 income, for the Eaton-Kortum variant too).
    """

    shares: jnp.ndarray
    expenditure: jnp.ndarray
    income: jnp.ndarray
    transfers: jnp.ndarray
    nu: jnp.ndarray
    phi: jnp.ndarray
    epsilon: jnp.ndarray
    kappa: jnp.ndarray
    psi: jnp.ndarray
    tax_relief: jnp.ndarray
    beta: jnp.ndarray
    employment_weights: jnp.ndarray


class Outcome(NamedTuple):
    """The counterfactual at ``u``: flows X' (N,N,1) at pre-tariff prices; hats (N,) of the wage, spending,
    employment and CPI; revenue R and income Y' (N,) in data units; the tax rate τ removed (N,; 0 with
    a lump-sum rebate), the welfare weight δ and the welfare change W_hat (§5 outputs)."""

    trade: jnp.ndarray
    w_hat: jnp.ndarray
    E_hat: jnp.ndarray
    price_index_sector_hat: jnp.ndarray
    L_hat: jnp.ndarray
    P_hat: jnp.ndarray
    revenue: jnp.ndarray
    income_new: jnp.ndarray
    tax: jnp.ndarray
    delta: jnp.ndarray
    W_hat: jnp.ndarray


class State(NamedTuple):
    """Everything the residuals and the Jacobian share at one point u."""

    lw: jnp.ndarray
    lL: jnp.ndarray
    t: jnp.ndarray
    shares_new: jnp.ndarray  # λ'[j,i]
    log_A: jnp.ndarray
    rho: jnp.ndarray  # revenue over spending ρ_i
    Y_new: jnp.ndarray
    E_new: jnp.ndarray
    tax: jnp.ndarray
    log_P: jnp.ndarray
    X_new: jnp.ndarray
    income: jnp.ndarray  # the left side of ERR1


def split(u):
    """(ln ŵ, ln L̂), each (N,), from u (2N,)."""
    n = u.shape[0] // 2
    return u[:n], u[n:]


def tariff_matrix(policy):
    """(N,N) the counterfactual tariffs t[j,i] of a one-sector policy."""
    return policy.tariffs[:, :, 0]


def state(u, base: Baseline, policy) -> State:
    """The counterfactual quantities of §5 at u = (ln ŵ, ln L̂), E' in closed form (module docstring)."""
    lw, lL = split(u)
    t = tariff_matrix(policy)
    eps = base.epsilon
    log_cost = lw - base.psi * lL
    a = base.shares * jnp.exp(-eps * log_cost)[:, None] * jnp.exp(-eps * base.phi[None, :] * jnp.log1p(t))
    A = a.sum(axis=0)
    shares_new = a / A[None, :]
    rho = (shares_new * (t / (1 + t))).sum(axis=0)
    Y_new = base.income * jnp.exp(lw + lL)
    E_new = (Y_new + base.transfers * (Y_new.sum() / base.income.sum())) / (1 - rho)
    tax = base.tax_relief * rho * E_new / Y_new
    log_A = jnp.log(A)
    log_P = (1 - base.phi) * (jnp.log(E_new / base.expenditure) - lw) - log_A / eps
    X_new = shares_new * (E_new / (1 + t))
    income = ((1 - base.nu)[None, :] * X_new).sum(axis=1) + base.nu * (1 - rho) * E_new
    return State(lw, lL, t, shares_new, log_A, rho, Y_new, E_new, tax, log_P, X_new, income)


def _numeraire(s: State, base: Baseline):
    """Σ_i (P̂_i - 1) E_i / Σ E (§5: the E-weighted mean CPI change is 0)."""
    return (jnp.exp(s.log_P) - 1) @ base.expenditure / base.expenditure.sum()


def residuals(u, base: Baseline, policy):
    """(2N,) (income_j - Y'_j) / Y_j (the last replaced by the numeraire), then ln L̂ - κ ln(τ̂ ŵ / P̂).

    Income gaps are over the baseline Y, not logs: their Y-weighted sum is then exactly zero at every u
    (Walras' law), so a Newton step makes the dropped equation hold to first order too. In logs, the
    second-order error of that sum lands on the small last country (ZWE's wage x 10 on the first step).
    """
    s = state(u, base, policy)
    income = ((s.income - s.Y_new) / base.income).at[-1].set(_numeraire(s, base))
    labour = s.lL - base.kappa * (-jnp.log1p(-s.tax) + s.lw - s.log_P)
    return jnp.concatenate([income, labour])


def jacobian(u, base: Baseline, policy):
    """(2N, 2N) the exact derivative of ``residuals`` (blocks in (ln ŵ, ln L̂); checked against jax.jacfwd
    in tests/test_ilms_model.py). Two N x N x N products: the budget's derivative is diagonal plus rank one.
    """
    s = state(u, base, policy)
    eps, psi, kappa = base.epsilon, base.psi, base.kappa
    n = s.lw.shape[0]
    eye = jnp.eye(n)
    share_T = s.shares_new.T  # [i, k] = λ'[k, i]
    d_rho = -eps * (s.shares_new * (s.t / (1 + s.t) - s.rho[None, :])).T  # [i, k] dρ_i / d ln c_k
    world = base.income.sum()
    # d ln E' / du = budget part (the same for ln ŵ and ln L̂) + (d ln c / du) * rho part
    q = 1 / ((1 - s.rho) * s.E_new)
    budget_part = jnp.diag(q * s.Y_new) + jnp.outer(q * base.transfers, s.Y_new) / world
    rho_part = d_rho / (1 - s.rho)[:, None]
    G = (1 - base.nu)[None, :] * s.X_new  # income of exporter j from market i
    G_budget = G * (q * s.Y_new)[None, :] + jnp.outer(G @ (q * base.transfers), s.Y_new) / world
    G_rho = G @ rho_part
    G_share = jnp.diag(G.sum(axis=1)) - G @ share_T
    revenue_share = (s.rho * s.E_new / s.Y_new)[:, None]
    rows = {"income": [], "labour": []}
    for cost, own_wage, own_labour in ((1.0, eye, 0.0), (-psi, 0.0, eye)):  # ln ŵ, then ln L̂
        dlogE = budget_part + cost * rho_part
        dlogP = (1 - base.phi)[:, None] * (dlogE - own_wage) + cost * share_T
        d_tax = base.tax_relief * (cost * d_rho * (s.E_new / s.Y_new)[:, None] + revenue_share * (dlogE - eye))
        d_own_spending = s.E_new[:, None] * ((1 - s.rho)[:, None] * dlogE - cost * d_rho)  # d((1-ρ) E')
        d_income = -eps * cost * G_share + G_budget + cost * G_rho + base.nu[:, None] * d_own_spending
        numeraire_row = (base.expenditure * jnp.exp(s.log_P)) @ dlogP / base.expenditure.sum()
        rows["income"].append(((d_income - jnp.diag(s.Y_new)) / base.income[:, None]).at[-1].set(numeraire_row))
        rows["labour"].append(own_labour - kappa * (d_tax / (1 - s.tax)[:, None] + own_wage - dlogP))
    return jnp.block([rows["income"], rows["labour"]])


def outcome(u, base: Baseline, policy) -> Outcome:
    """The counterfactual of §5 with the welfare change Ŵ = δ Ê/P̂ + (1-δ) ŵ L̂ / P̂,
    δ_i = E_i / (E_i - κ (1-τ_i) Y_i / (1+κ))."""
    s = state(u, base, policy)
    w_hat, L_hat, P_hat = jnp.exp(s.lw), jnp.exp(s.lL), jnp.exp(s.log_P)
    E_hat = s.E_new / base.expenditure
    E, kappa = base.expenditure, base.kappa
    delta = E / (E - kappa * (1 - s.tax) * base.income / (1 + kappa))
    W_hat = delta * E_hat / P_hat + (1 - delta) * w_hat * L_hat / P_hat
    return Outcome(s.X_new[:, :, None], w_hat, E_hat, P_hat[:, None], L_hat, P_hat, s.rho * s.E_new, s.Y_new,
                   s.tax, delta, W_hat)


def paper_welfare_parts(out: Outcome):
    """The games' welfare parts (``Kernel.welfare_parts``) of an outcome: (income_new (N,1), income_base
    (N,1), P_hat (N,)) with income_new = Ŵ P̂ = δ Ê + (1-δ) ŵ L̂ (the nominal welfare index; Êc for
    final spending with input-output links) and income_base = 1, so that G_hat = income_new / income_base
    / P_hat is the paper's welfare change Ŵ (§5, §11.2). One sector: political-economy weights cancel."""
    nominal = out.W_hat * out.P_hat
    return nominal[:, None], jnp.ones_like(nominal)[:, None], out.P_hat


def welfare_parts(u, base: Baseline, policy):
    """``paper_welfare_parts`` of the outcome at u (the games differentiate it in u and the tariffs)."""
    return paper_welfare_parts(outcome(u, base, policy))


def full_residuals(u, base: Baseline, policy, check_dropped: bool = True):
    """Every equation, relative: income (N; the last country's only when ``check_dropped``), budget (N),
    labour supply (N), numeraire (1)."""
    s = state(u, base, policy)
    income = s.income / s.Y_new - 1
    if not check_dropped:
        income = income[:-1]
    revenue = s.rho * s.E_new
    budget = (revenue + s.Y_new + base.transfers * (s.Y_new.sum() / base.income.sum())) / s.E_new - 1
    labour = jnp.exp(s.lL - base.kappa * (-jnp.log1p(-s.tax) + s.lw - s.log_P)) - 1
    return jnp.concatenate([income, budget, labour, _numeraire(s, base)[None]])


def as_arrays(**arrays) -> Baseline:
    """A ``Baseline`` of numpy float64 arrays (keyword per field)."""
    return Baseline(**{name: np.asarray(value, dtype=np.float64) for name, value in arrays.items()})
