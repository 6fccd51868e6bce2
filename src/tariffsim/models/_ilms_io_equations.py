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

``jacobian`` is exact (checked against jax.jacfwd in tests/test_ilms_model.py). Welfare is based on final
spending (§11.2): Ec = Y + T, Êc = (R + Y' + T ΣY'/ΣY) / Ec, δ = Ec / (Ec - κ (1-τ) Y / (1+κ)), Ŵ = δ Êc/P̂ + (1-δ) ŵL̂/P̂.
"""

from __future__ import annotations

from typing import NamedTuple

from tariffsim._jax import jax, jnp
from tariffsim.models._ilms_equations import Baseline, Outcome, paper_welfare_parts, tariff_matrix


class State(NamedTuple):
    """Everything the residuals and the Jacobian share at one point u."""

    lw: jnp.ndarray
    lL: jnp.ndarray
    lP: jnp.ndarray
    t: jnp.ndarray
    shares_new: jnp.ndarray  # λ'[j,i]
    log_A: jnp.ndarray
    rho: jnp.ndarray
    Y_new: jnp.ndarray
    budget_matrix: jnp.ndarray  # K with K E' = Y' + T ΣY'/ΣY
    intermediates: jnp.ndarray  # [j, i] intermediate sales of j per unit of E'_i
    E_new: jnp.ndarray
    tax: jnp.ndarray
    X_new: jnp.ndarray
    income: jnp.ndarray  # the left side of the income equation
    transfers_new: jnp.ndarray  # T ΣY'/ΣY


def cost_elasticities(beta, psi):
    """d ln(ĉ / (ent L̂)^ψ) / d(ln ŵ, ln L̂, ln P̂) of every exporter."""
    return beta - psi * (1 - beta), -psi, (1 - beta) * (1 + psi)


def state(u, base: Baseline, policy) -> State:
    """The counterfactual of §11.2 at u = (ln ŵ, ln L̂, ln P̂), E' from the linear budget."""
    n = u.shape[0] // 3
    lw, lL, lP = u[:n], u[n:2 * n], u[2 * n:]
    t = tariff_matrix(policy)
    beta, eps, psi = base.beta, base.epsilon, base.psi
    d_w, d_L, d_P = cost_elasticities(beta, psi)
    log_cost = d_w * lw + d_L * lL + d_P * lP
    a = base.shares * jnp.exp(-eps * log_cost)[:, None] * jnp.exp(-eps * base.phi[None, :] * jnp.log1p(t))
    A = a.sum(axis=0)
    shares_new = a / A[None, :]
    rho = (shares_new * (t / (1 + t))).sum(axis=0)
    Y_new = base.income * jnp.exp(lw + lL)
    transfers_new = base.transfers * (Y_new.sum() / base.income.sum())
    intermediates = (1 - beta) * (1 - base.nu)[None, :] * shares_new / (1 + t)  # [j, i] per unit of E'_i
    budget_matrix = jnp.diag(1 - rho) - intermediates
    E_new = jnp.linalg.solve(budget_matrix, Y_new + transfers_new)
    X_new = shares_new * (E_new / (1 + t))
    income = beta * ((1 - base.nu)[None, :] * X_new).sum(axis=1) + base.nu * (1 - rho) * E_new
    tax = base.tax_relief * rho * E_new / Y_new
    return State(lw, lL, lP, t, shares_new, jnp.log(A), rho, Y_new, budget_matrix, intermediates, E_new, tax, X_new,
                 income, transfers_new)


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


def jacobian(u, base: Baseline, policy):
    """(3N, 3N) the exact derivative of ``residuals``, blocks in (ln ŵ, ln L̂, ln P̂).

    E' solves K E' = b, so dE' = K⁻¹ (db - dK E'); dK E' by cost is Q below (two solves with N right sides).
    """
    s = state(u, base, policy)
    eps, psi, kappa, beta = base.epsilon, base.psi, base.kappa, base.beta
    n = s.lw.shape[0]
    eye, zero = jnp.eye(n), jnp.zeros((n, n))
    share_T = s.shares_new.T  # [i, k] = λ'[k, i]
    d_rho = -eps * (s.shares_new * (s.t / (1 + s.t) - s.rho[None, :])).T  # [i, k] dρ_i / d ln cost_k
    spent = s.intermediates * s.E_new[None, :]
    Q = -s.E_new[:, None] * d_rho + eps * (jnp.diag(spent.sum(axis=1)) - spent @ share_T)  # (dK/d ln cost) E'
    budget = jnp.diag(s.Y_new) + jnp.outer(base.transfers, s.Y_new) / base.income.sum()  # db/d ln ŵ = db/d ln L̂
    lu = jax.scipy.linalg.lu_factor(s.budget_matrix)
    E_budget, E_cost = (jax.scipy.linalg.lu_solve(lu, m) / s.E_new[:, None] for m in (budget, Q))
    G = beta * (1 - base.nu)[None, :] * s.X_new
    G_share = jnp.diag(G.sum(axis=1)) - G @ share_T
    G_budget, G_cost = G @ E_budget, G @ E_cost
    revenue_share = (s.rho * s.E_new / s.Y_new)[:, None]
    numeraire = {"w": jnp.exp(s.lw) * base.income / base.income.sum(), "L": jnp.zeros(n), "P": jnp.zeros(n)}
    rows = {"income": [], "labour": [], "prices": []}
    for v, cost in zip("wLP", cost_elasticities(beta, psi), strict=True):
        paid = 0.0 if v == "P" else 1.0  # d ln Y' / dv
        own = {name: eye if v == name else zero for name in "wLP"}
        dlogE = paid * E_budget - cost * E_cost
        d_income = (-eps * cost * G_share + paid * G_budget - cost * G_cost
                    + base.nu[:, None] * s.E_new[:, None] * ((1 - s.rho)[:, None] * dlogE - cost * d_rho))
        rows["income"].append(((d_income - paid * jnp.diag(s.Y_new)) / base.income[:, None]).at[-1].set(numeraire[v]))
        d_tax = base.tax_relief * (cost * d_rho * (s.E_new / s.Y_new)[:, None] + revenue_share * (dlogE - paid * eye))
        rows["labour"].append(own["L"] - kappa * (d_tax / (1 - s.tax)[:, None] + own["w"] - own["P"]))
        d_log_price = (1 - base.phi)[:, None] * (dlogE - own["w"]) + cost * share_T
        rows["prices"].append(own["P"] - d_log_price)
    return jnp.block([rows["income"], rows["labour"], rows["prices"]])


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


def welfare_parts(u, base: Baseline, policy):
    """``_ilms_equations.paper_welfare_parts`` of the final-spending welfare at u (for the games)."""
    return paper_welfare_parts(outcome(u, base, policy))
