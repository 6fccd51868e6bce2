"""The stacked system of a Nash tariff war: equilibrium conditions and every player's first-order
condition in one square system, its exact Jacobian and a damped Newton for it (pure JAX, compiled once
per model ``Kernel``, settings and array shapes). ``games/world_nash.py`` builds, solves and verifies it.

Unknowns z = (u, x): the model's equilibrium unknowns u (n,) and the players' tariffs x (K,). Variable
k fills entry slots[k] of a template of shape (1, N, 1) (one tariff per importer: uniform), (1, N, S)
(per importer and sector: MFN) or (N, N, S) (per cell: discriminatory), broadcast over the cells of
``mask`` (no scatter over cells: batched scatters are slow on CPU); it belongs to player owner[k].
With phi_p = log G_hat of player p (``_adjoint.government_welfare``; unit weights: real income on
balanced trade) and F the model's residuals (``Kernel.residuals``),

    J = d_u F (n,n),  B = d_x F (n,K),  A = d_u phi (P,n),  C = d_x phi (P,K),   mu = J^-1 B,
    g_k = C[owner_k, k] - A[owner_k] . mu[:, k]    (total d phi_owner / d x_k through u(x): forward mode
                                                    of the implicit function theorem, one solve, K columns)

and the system is r(z) = [F(u, t(x)); psi(x, g / scale)] = 0 with psi Billups' Fischer-Burmeister box
function: psi_k = 0 iff lower <= x_k <= upper and x_k is a KKT point of its owner's problem (g <= 0 at
the lower bound, g >= 0 at the upper bound, g = 0 between). ``scale`` (K,) is each variable's baseline
import share, so the conditions of small and large countries weigh alike. The four blocks J, B, A, C
come from one linearisation of z -> [F; phi] (n + K tangents, or n + P cotangents when K is large).

The Jacobian of g: with lam_p = J^-T A_p^T and the Lagrangian L_p(z) = phi_p(z) - lam_p . F(z) (lam
held fixed), d g_k / d z = Hess L_p(z) v_k with v_k = (-mu[:, k], e_k), exactly, also away from F = 0
(differentiate g_k = C - A mu: the derivative of J^-1 is the lam term). So the Jacobian costs K
Hessian-vector products (forward-over-reverse; one linearisation per player, applied to its own
directions) instead of the (n + K) x K second-order tangents of ``jax.jacfwd`` of r, which
``jacobian="jacfwd"`` computes (tests, and models with forward-mode derivatives only). The players'
reduced Hessians, v_k' . Hess L_p v_k = rows @ V, come with it (the second-order check).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from tariffsim import welfare
from tariffsim._jax import jax, jnp
from tariffsim.models import _equations as _eq
from tariffsim.models._multisector import KERNEL as MULTISECTOR_KERNEL
from tariffsim.games._adjoint import government_welfare


class Game(NamedTuple):
    """The arrays of a war (a JAX pytree): who sets which cells, whose welfare counts, bounds, scales.

    slots (K,): position of each variable in the flattened template; mask (N,N,S): the cells the players
    set (True). owner (K,): player position of each variable. groups (P, G): each player's variables,
    padded with -1; position (K,): where variable k sits in the flattened groups. countries (P,):
    country index of each player. weights (N,S): political-economy weights. scale (K,): divisor of the
    first-order condition (baseline import share of the variable's cells). lower, upper (K,): bounds.
    """

    slots: jnp.ndarray
    mask: jnp.ndarray
    owner: jnp.ndarray
    groups: jnp.ndarray
    position: jnp.ndarray
    countries: jnp.ndarray
    weights: jnp.ndarray
    scale: jnp.ndarray
    lower: jnp.ndarray
    upper: jnp.ndarray


class Settings(NamedTuple):
    """Static choices: ``reverse`` (the kernel has reverse derivatives), ``cross`` (``"forward"``: the
    first-order blocks by n + K tangents; ``"reverse"``: by n + P cotangents), ``batch`` (tangents per
    vectorised batch; bounds memory), ``jacobian`` (``"hvp"`` or ``"jacfwd"``), ``template``
    (``"importer"``, ``"importer_sector"`` or ``"cell"``: the shape variables fill, see the module
    docstring), ``analytic`` (closed-form first-order blocks for the multi-sector kernel with uniform or
    MFN tariffs, ``multisector_first_order``; False: AD, as for every other kernel)."""

    reverse: bool
    cross: str
    batch: int
    jacobian: str
    template: str
    analytic: bool = True


@jax.custom_jvp
def fischer_burmeister(a, b):
    """a + b - sqrt(a^2 + b^2): zero iff a >= 0, b >= 0 and a b = 0."""
    return a + b - jnp.sqrt(a * a + b * b)


@fischer_burmeister.defjvp
def _fischer_burmeister_jvp(primals, tangents):
    a, b = primals
    da, db = tangents
    r = jnp.sqrt(a * a + b * b)
    safe = jnp.where(r > 0, r, 1.0)
    # At (0, 0) the B-subdifferential contains (1 - 1/sqrt 2, 1 - 1/sqrt 2): a standard choice.
    ca = jnp.where(r > 0, 1 - a / safe, 1 - 2 ** -0.5)
    cb = jnp.where(r > 0, 1 - b / safe, 1 - 2 ** -0.5)
    return fischer_burmeister(a, b), ca * da + cb * db


def box_complementarity(x, gradient, lower, upper):
    """Billups' function phi(x - l, -phi(u - x, g)): zero iff x is a KKT point of max over [l, u]."""
    return fischer_burmeister(x - lower, -fischer_burmeister(upper - x, gradient))


def kkt_residual(x, gradient, lower, upper):
    """max |clip(x + g, l, u) - x|: the projected-gradient measure of games.optimal (0 at a KKT point)."""
    return jnp.max(jnp.abs(jnp.clip(x + gradient, lower, upper) - x)) if x.size else jnp.zeros(())


def batched(f, xs, batch: int):
    """``jax.vmap(f)(xs)`` in batches of ``batch`` along the leading axis (one vmap when it fits: a
    single copy of the code to compile)."""
    size = jax.tree.leaves(xs)[0].shape[0]
    if batch >= size:
        return jax.vmap(f)(xs)
    return jax.lax.map(f, xs, batch_size=batch)


def _columns(linear, size: int, batch: int, dtype):
    """(m, size) the matrix of a linear map R^size -> R^m, from basis vectors in batches of ``batch``."""
    return batched(linear, jnp.eye(size, dtype=dtype), batch).T


def _rows(linear_t, size: int, batch: int, dtype):
    """(size, k) the matrix whose rows are ``linear_t`` of the basis vectors of R^size."""
    return batched(linear_t, jnp.eye(size, dtype=dtype), batch)


def _split(z, game: Game):
    k = game.owner.shape[0]
    n = z.shape[0] - k
    return z[:n], z[n:]


def _at(policy, x, game: Game, template: str):
    return policy._replace(tariffs=cube(x, policy.tariffs, game, template))


TEMPLATES = ("importer", "importer_sector", "cell")


def template_shape(template: str, n: int, s: int) -> tuple[int, int, int]:
    return {"importer": (1, n, 1), "importer_sector": (1, n, s), "cell": (n, n, s)}[template]


def cube(x, fixed, game: Game, template: str):
    """(N,N,S) the fixed cube with the players' cells set from x."""
    n, _, s = fixed.shape
    shape = template_shape(template, n, s)
    filled = jnp.zeros(shape[0] * shape[1] * shape[2], x.dtype).at[game.slots].set(x).reshape(shape)
    return jnp.where(game.mask, filled, fixed)


def _log_welfare(kernel, u, params, policy, game: Game):
    """(P,) log G_hat of the players."""
    return jnp.log(government_welfare(kernel, u, params, policy, game.weights)[game.countries])


def _multisector_outputs(u, params, policy, game: Game):
    """``kernel.residuals`` and the players' log G_hat of the multi-sector kernel (krugman, armington)
    from one evaluation of its outcome: the kernel's two functions each compute the outcome, and every
    derivative below would carry both copies (twice the work and the compile time). The same equations
    as ``models._equations.residuals`` and ``welfare_parts``; tests check the two agree."""
    out = _eq.outcome(u, params, policy)
    residuals = jnp.concatenate([_eq.numeraire_residual(out, params)[None], _eq.labour_market_residuals(out, params)[1:],
                                 _eq.budget_residuals(out, params, policy.net_exports)])
    price = welfare.price_index_hat(params.mu, out.price_index_sector_hat)
    base_revenue = jnp.einsum("ijs,ijs->j", params.tariffs, params.trade)
    income_base = welfare.industry_income(params.trade.sum(axis=1), base_revenue, params.profit_share)
    income_new = welfare.industry_income(out.sales, out.tariff_revenue, params.profit_share)
    g_hat = welfare.government_welfare_hat(game.weights, income_base, income_new, price)
    return jnp.concatenate([residuals, jnp.log(g_hat[game.countries])])


def _stacked_outputs(kernel, template: str, z, params, policy, game: Game):
    """(n + P,) [F(u, t(x)); log G_hat of the players]."""
    u, x = _split(z, game)
    here = _at(policy, x, game, template)
    if kernel is MULTISECTOR_KERNEL:
        return _multisector_outputs(u, params, here, game)
    return jnp.concatenate([kernel.residuals(u, params, here), _log_welfare(kernel, u, params, here, game)])


def multisector_first_order(z, params, policy, game: Game, template: str):
    """(values (n + P,), J, B, A, C) of the multi-sector kernel in closed form, for uniform ("importer")
    and MFN ("importer_sector") templates: einsums over the cube instead of n + K AD passes.

    With X' the flows, pi' the shares within (importer, sector), c_s = 1 - sigma_s, a tariff variable
    moving the cells of column (j, s) by dt: d log Q_js = sum_i pi'_ijs c_s dt_ijs / (1 + t'_ijs),
    d log X'_ijs = (c_s - 1) dt_ijs / (1 + t'_ijs) - d log Q_js, d log P_js = d log Q_js / c_s; sales
    R'_is and revenue T'_j follow; u moves flows as in ``models._equations.jacobian``. Government welfare
    G_p = N_p / N_p^0 / P_hat_p with N_p = sum_s lambda_ps I'_ps, I'_ps = R'_ps + delta_ps T'_p and delta
    the wage-bill shares of the new sales, so dN_p = sum_s kappa_ps dR'_ps + Lambda_p dT'_p with
    Lambda_p = sum_s lambda_ps delta_ps and kappa_ps = lambda_ps + T'_p (1 - pi_s)(lambda_ps - Lambda_p) /
    W_p (W_p the new wage bill). Tests check every block against AD.
    """
    u, x = _split(z, game)
    here = _at(policy, x, game, template)
    out = _eq.outcome(u, params, here)
    values = _multisector_outputs(u, params, here, game)
    J = _eq.jacobian(u, params, here)
    X, share, t = out.trade, out.shares, here.tariffs
    c = 1 - params.sigma  # (S,)
    profit = params.profit_share  # (S,)
    countries = game.countries
    # welfare pieces of the players
    R, T = out.sales, out.tariff_revenue
    W = ((1 - profit) * R).sum(axis=1)  # (N,) new wage bill
    delta = (1 - profit) * R / W[:, None]
    lam = game.weights
    Lam = (lam * delta).sum(axis=1)  # (N,)
    kappa = lam + T[:, None] * (1 - profit) * (lam - Lam[:, None]) / W[:, None]  # (N,S)
    numerator = (lam * R).sum(axis=1) + Lam * T  # (N,)
    mu = params.mu
    # --- x: every controlled column moved at once (variables own disjoint columns (j) or (j, s))
    inv = 1 / (1 + t)
    moved = game.mask * inv
    dlogQ = jnp.einsum("ijs,ijs->js", share, moved) * c  # (N,S) [j, s]
    dlogX = moved * (c - 1) - dlogQ[None, :, :]
    XdX = X * dlogX
    dT_col = (game.mask * X + t * XdX).sum(axis=0)  # (N,S) [j, s]
    Y, E = params.wage_bill, params.expenditure
    k = x.shape[0]
    if template == "importer":
        j = game.slots  # (K,) importer of each variable
        RX = XdX[:, j, :]  # (N, K, S): d R'_is per variable
        dT = dT_col[j].sum(axis=1)  # (K,)
        d_labour = jnp.einsum("iks,s->ik", RX, 1 - profit) / Y[:, None]
        d_budget = jnp.einsum("iks,s->ik", RX, profit)
        dlogP = dlogQ[j] / c  # (K, S)
        own = countries[:, None] == j[None, :]  # (P, K)
        C = (jnp.einsum("ps,pks->pk", kappa[countries], RX[countries]) + own * (Lam[countries][:, None] * dT[None, :])
             ) / numerator[countries][:, None] - own * jnp.einsum("ps,ks->pk", mu[countries], dlogP)
    else:
        j, sector = game.slots // X.shape[2], game.slots % X.shape[2]
        RX = XdX[:, j, sector]  # (N, K)
        dT = dT_col[j, sector]
        d_labour = RX * (1 - profit[sector])[None, :] / Y[:, None]
        d_budget = RX * profit[sector][None, :]
        dlogP = dlogQ[j, sector] / c[sector]  # (K,)
        own = countries[:, None] == j[None, :]
        C = (kappa[countries][:, sector] * RX[countries] + own * (Lam[countries][:, None] * dT[None, :])
             ) / numerator[countries][:, None] - own * mu[countries][:, sector] * dlogP[None, :]
    onehot = (jnp.arange(X.shape[0])[:, None] == j[None, :])
    d_budget = (d_budget + onehot * dT[None, :]) / E[:, None]
    B = jnp.concatenate([jnp.zeros((1, k), z.dtype), d_labour[1:], d_budget], axis=0)
    # --- u = (log w_hat, log E_hat)
    Xp, cp = X[countries], countries
    a = (kappa[cp] * c * R[cp]).sum(axis=1)  # (P,)
    cross = jnp.einsum("ps,pjs,kjs->pk", kappa[cp] * c, Xp, share)  # (P, N)
    revenue = jnp.einsum("ijs,ijs->js", t, X)  # (N,S) [j, s]
    dT_w = (jnp.einsum("kps,s->pk", (t * X)[:, cp, :], c)
            - jnp.einsum("kps,ps,s->pk", share[:, cp, :], revenue[cp], c))  # (P, N)
    eye = jnp.arange(X.shape[0])[None, :] == cp[:, None]  # (P, N)
    A_w = (eye * a[:, None] - cross + Lam[cp][:, None] * dT_w) / numerator[cp][:, None] \
        - jnp.einsum("ps,kps->pk", mu[cp], share[:, cp, :])
    A_E = (jnp.einsum("ps,pls->pl", kappa[cp], Xp) + eye * (Lam[cp] * T[cp])[:, None]) / numerator[cp][:, None]
    A = jnp.concatenate([A_w, A_E], axis=1)
    return values, J, B, A, C


def first_order(kernel, settings: Settings, z, params, policy, game: Game):
    """F (n,), J (n,n), B (n,K), A (P,n), mu (n,K) and g (K,) at z (see the module docstring).

    All four derivative blocks come from one linearisation of z -> [F; log G_hat of the players]:
    n + K tangents (``cross="forward"``) or n + P cotangents (``"reverse"``, cheaper when K is large), in
    batches of ``settings.batch``. (One linearisation instead of the kernel's analytic J plus separate
    passes for d_x and d_u phi: the same work, one copy of the code to compile.)"""
    u, x = _split(z, game)
    n, k = u.shape[0], x.shape[0]

    def outputs(z_):
        return _stacked_outputs(kernel, settings.template, z_, params, policy, game)

    if settings.analytic and kernel is MULTISECTOR_KERNEL and settings.template != "cell":
        values, J, B, A, C = multisector_first_order(z, params, policy, game, settings.template)
        mu = jnp.linalg.solve(J, B)
        g = C[game.owner, jnp.arange(k)] - jnp.sum(A[game.owner] * mu.T, axis=1)
        return values[:n], J, B, A, mu, g
    if settings.cross == "reverse" and settings.reverse:
        values, pullback = jax.vjp(outputs, z)
        D = _rows(lambda ct: pullback(ct)[0], values.shape[0], settings.batch, z.dtype)
    else:
        values, pushforward = jax.linearize(outputs, z)
        D = _columns(pushforward, n + k, settings.batch, z.dtype)
    F, J, B, A, C = values[:n], D[:n, :n], D[:n, n:], D[n:, :n], D[n:, n:]
    mu = jnp.linalg.solve(J, B)
    owner = game.owner
    g = C[owner, jnp.arange(k)] - jnp.sum(A[owner] * mu.T, axis=1)
    return F, J, B, A, mu, g


def foc_rows(kernel, settings: Settings, z, params, policy, game: Game, J, A, mu):
    """(K, n + K) d g / d z by Hessian-vector products of the players' Lagrangians."""
    n, k = mu.shape
    players = game.countries.shape[0]
    lam = jnp.linalg.solve(J.T, A.T)  # (n, P)
    cotangents = jnp.concatenate([-lam, jnp.eye(players, dtype=z.dtype)], axis=0)  # (n + P, P): w_p
    directions = jnp.concatenate([-mu, jnp.eye(k, dtype=z.dtype)], axis=0)  # (n + K, K): v_k

    def outputs(z_):
        return _stacked_outputs(kernel, settings.template, z_, params, policy, game)

    if game.groups.shape[1] == 1:  # one variable per player: one forward-over-reverse product each
        def row(pair):
            v, w = pair
            return jax.jvp(lambda z_: jax.vjp(outputs, z_)[1](w)[0], (z,), (v,))[1]

        return batched(row, (directions.T, cotangents[:, game.owner].T), settings.batch), directions

    def player_rows(pair):
        # Linearise the player's Lagrangian gradient once; apply it to each of its own directions.
        w, members = pair
        _, hessian = jax.linearize(lambda z_: jax.vjp(outputs, z_)[1](w)[0], z)
        own = directions[:, jnp.maximum(members, 0)].T * (members >= 0)[:, None]
        return batched(hessian, own, settings.batch)

    grouped = jax.lax.map(player_rows, (cotangents.T, game.groups))  # (P, G, n + K)
    return grouped.reshape(-1, grouped.shape[-1])[game.position], directions


class Point(NamedTuple):
    """The stacked system at one point: residuals (n + K,), Jacobian, first-order derivatives g (K,)
    and the players' reduced Hessians (K, K: d g_k / d x_k' along the equilibrium, zero across players;
    zeros with ``jacobian="jacfwd"``). Jacobian and curvature are zeros where Newton did not need them."""

    residuals: jnp.ndarray
    jacobian: jnp.ndarray
    gradient: jnp.ndarray
    curvature: jnp.ndarray


def _psi(x, g, game: Game):
    return box_complementarity(x, g / game.scale, game.lower, game.upper)


def _value(kernel, settings: Settings, z, params, policy, game: Game):
    """(residuals, g, first-order pieces) at z."""
    F, J, B, A, mu, g = first_order(kernel, settings, z, params, policy, game)
    _, x = _split(z, game)
    return jnp.concatenate([F, _psi(x, g, game)]), g, (J, B, A, mu)


def _derivatives(kernel, settings: Settings, z, params, policy, game: Game, g, pieces):
    """(Jacobian, curvature) at z from the first-order pieces (Hessian-vector products), or by
    ``jax.jacfwd`` of the residuals with ``settings.jacobian == "jacfwd"``."""
    _, x = _split(z, game)
    k = x.shape[0]
    if settings.jacobian == "jacfwd":
        def residuals(z_):
            return _value(kernel, settings, z_, params, policy, game)[0]

        return jax.jacfwd(residuals)(z), jnp.zeros((k, k), z.dtype)
    J, B, A, mu = pieces
    rows, directions = foc_rows(kernel, settings, z, params, policy, game, J, A, mu)
    gh = g / game.scale
    d_x, d_g = jax.vmap(jax.grad(box_complementarity, argnums=(0, 1)))(x, gh, game.lower, game.upper)
    n = J.shape[0]
    bottom = (d_g / game.scale)[:, None] * rows + jnp.concatenate([jnp.zeros((k, n), z.dtype), jnp.diag(d_x)], axis=1)
    jacobian = jnp.concatenate([jnp.concatenate([J, B], axis=1), bottom], axis=0)
    same = game.owner[:, None] == game.owner[None, :]
    return jacobian, jnp.where(same, rows @ directions, 0.0)


def point(kernel, settings: Settings, z, params, policy, game: Game) -> Point:
    """Residuals, exact Jacobian, g and curvature at z (tests; Newton calls the two parts itself)."""
    r, g, pieces = _value(kernel, settings, z, params, policy, game)
    jacobian, curvature = _derivatives(kernel, settings, z, params, policy, game, g, pieces)
    return Point(r, jacobian, g, curvature)


# A Jacobian is reused for the next step while the last step cut ||r||_2 at least this much (a step
# with an older Jacobian costs one residual evaluation; a new Jacobian costs K Hessian-vector products:
# on icio2022, 17 ms against 0.75 s); otherwise, or when a step from an old Jacobian fails the line
# search, the Jacobian is recomputed at the current point (Shamanskii's modified Newton).
REUSE_RATIO = 0.5


class NewtonState(NamedTuple):
    steps: jnp.ndarray  # accepted steps
    jacobians: jnp.ndarray  # Jacobians computed
    backtracks: jnp.ndarray
    z: jnp.ndarray
    here: Point  # residuals, g and (at the last Jacobian's point) Jacobian and curvature
    pieces: tuple  # first-order pieces (J, B, A, mu) at z
    factors: tuple  # LU factors of the Jacobian in use
    fresh: jnp.ndarray  # the Jacobian in use was computed at z
    direction: jnp.ndarray
    alpha: jnp.ndarray
    stalled: jnp.ndarray
    started: jnp.ndarray
    previous: jnp.ndarray  # ||r||_2 before the last accepted step


@partial(jax.jit, static_argnames=("kernel", "settings"))
def newton(z0, params, policy, game: Game, target, max_steps, max_backtracks, max_log_step, floor,
           reuse=REUSE_RATIO, *, kernel, settings: Settings) -> NewtonState:
    """Damped Newton on the stacked system with the rule of ``tariffsim.solve.newton`` (steps capped at
    ``max_log_step`` in every unknown, backtracking on ||r||_2 with sufficient decrease 1e-4 alpha) and
    exact Jacobians reused while a step cuts ||r||_2 by the factor ``reuse`` (``REUSE_RATIO``). Stops when max |r| <= target, after
    ``max_steps`` steps, when stalled, or when max |r| <= ``floor`` and the last step did not halve
    ||r|| (rounding level: ill-conditioned worlds such as ilms2025, whose two countries with US$1 of
    domestic sales leave about 2e-11). Residuals and Jacobian share the first-order work, and each is
    evaluated at one call site (one copy of the code to compile). With ``max_steps=0`` it returns the
    evaluation at ``z0`` with its Jacobian and curvature (the verification's).
    """
    m = z0.shape[0]
    k = game.owner.shape[0]
    dtype = z0.dtype

    def norm(r):
        return jnp.sqrt(jnp.sum(r * r))

    def converged(r, previous):
        largest = jnp.max(jnp.abs(r))
        return (largest <= target) | ((largest <= floor) & (norm(r) > 0.5 * previous))

    def not_done(state: NewtonState):
        r = state.here.residuals
        return ~state.started | ((state.steps < max_steps) & ~converged(r, state.previous) & ~state.stalled)

    def capped(step):
        biggest = jnp.max(jnp.abs(step))
        return step * jnp.minimum(1.0, max_log_step / jnp.where(biggest > 0, biggest, 1.0))

    def body(state: NewtonState):
        candidate = jnp.where(state.started, state.z + state.alpha * state.direction, state.z)
        r, g, pieces = _value(kernel, settings, candidate, params, policy, game)
        before = norm(state.here.residuals)
        accept = ~state.started | (norm(r) <= (1 - 1e-4 * state.alpha) * before)
        previous = jnp.where(state.started, before, jnp.inf)
        steps = state.steps + (accept & state.started).astype(state.steps.dtype)
        again = accept & (steps < max_steps) & ~converged(r, previous)
        slow = ~state.started | (norm(r) > reuse * before)
        # a new Jacobian: at the accepted candidate when progress is slow (or for the verification), or
        # at the current point when a step from an old Jacobian failed
        refresh = (again & slow) | (accept & (max_steps == 0)) | (~accept & ~state.fresh)
        at = jnp.where(accept, candidate, state.z)
        at_g = jnp.where(accept, g, state.here.gradient)
        at_pieces = jax.tree.map(lambda new, old: jnp.where(accept, new, old), pieces, state.pieces)

        def new_jacobian(_):
            jacobian, curvature = _derivatives(kernel, settings, at, params, policy, game, at_g, at_pieces)
            return jacobian, curvature, jax.scipy.linalg.lu_factor(jacobian)

        def old_jacobian(_):
            return state.here.jacobian, state.here.curvature, state.factors

        jacobian, curvature, factors = jax.lax.cond(refresh, new_jacobian, old_jacobian, None)
        r_at = jnp.where(accept, r, state.here.residuals)
        step = capped(jax.scipy.linalg.lu_solve(factors, -r_at))
        moves = again | (~accept & refresh)  # a new step from the accepted point, or a retry from z
        halve = ~accept & ~refresh
        backtracks = jnp.where(halve, state.backtracks + 1, 0)
        return NewtonState(
            steps=steps, jacobians=state.jacobians + refresh.astype(state.jacobians.dtype),
            backtracks=backtracks, z=at, here=Point(r_at, jacobian, at_g, curvature), pieces=at_pieces,
            factors=factors, fresh=jnp.where(accept, refresh, state.fresh | refresh),
            direction=jnp.where(moves, step, jnp.where(accept, 0.0, state.direction)),
            alpha=jnp.where(halve, state.alpha / 2, 1.0),
            stalled=(halve & (backtracks >= max_backtracks)) | (moves & ~jnp.all(jnp.isfinite(step))),
            started=jnp.ones((), bool), previous=jnp.where(accept, previous, state.previous))

    def zeros_like(shapes):  # placeholders of the right shapes, traced abstractly (no second call site)
        return jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), shapes)

    pieces0 = zeros_like(jax.eval_shape(lambda z_: _value(kernel, settings, z_, params, policy, game)[2], z0))
    factors0 = zeros_like(jax.eval_shape(jax.scipy.linalg.lu_factor, jnp.zeros((m, m), dtype)))
    empty = Point(jnp.zeros(m, dtype), jnp.zeros((m, m), dtype), jnp.zeros(k, dtype), jnp.zeros((k, k), dtype))
    start = NewtonState(jnp.zeros((), int), jnp.zeros((), int), jnp.zeros((), int), z0, empty, pieces0,
                        factors0, jnp.zeros((), bool),
                        jnp.zeros(m, dtype), jnp.ones((), dtype), jnp.zeros((), bool), jnp.zeros((), bool),
                        jnp.asarray(jnp.inf, dtype))
    return jax.lax.while_loop(not_done, body, start)
