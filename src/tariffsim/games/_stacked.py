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
    (``"importer"``, ``"importer_sector"`` or ``"cell"``: the shape variables fill, see the module docstring)."""

    reverse: bool
    cross: str
    batch: int
    jacobian: str
    template: str


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


class NewtonState(NamedTuple):
    steps: jnp.ndarray
    backtracks: jnp.ndarray
    z: jnp.ndarray
    here: Point
    direction: jnp.ndarray
    alpha: jnp.ndarray
    stalled: jnp.ndarray
    started: jnp.ndarray
    previous: jnp.ndarray  # ||r||_2 before the last accepted step


@partial(jax.jit, static_argnames=("kernel", "settings"))
def newton(z0, params, policy, game: Game, target, max_steps, max_backtracks, max_log_step, floor, *, kernel,
           settings: Settings) -> NewtonState:
    """Damped Newton on the stacked system, the rule of ``tariffsim.solve.newton`` (steps capped at
    ``max_log_step`` in every unknown, backtracking on ||r||_2 with sufficient decrease 1e-4 alpha,
    stop when max |r| <= target, after ``max_steps`` steps, when stalled, or when max |r| <= ``floor`` and
    the last step did not halve ||r|| (rounding level reached: ill-conditioned worlds such as ilms2025,
    whose two countries with US$1 of domestic sales leave about 2e-11)), arranged for this system:
    residuals and Jacobian share the first-order work, so every candidate is evaluated at one call site
    (one copy of the code to compile) and the Jacobian (the Hessian-vector products) is computed only at
    accepted points from which another step follows. With ``max_steps=0`` it returns the evaluation
    at ``z0`` with its Jacobian and curvature (the verification's).
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

    def body(state: NewtonState):
        candidate = jnp.where(state.started, state.z + state.alpha * state.direction, state.z)
        r, g, pieces = _value(kernel, settings, candidate, params, policy, game)
        decrease = norm(r) <= (1 - 1e-4 * state.alpha) * norm(state.here.residuals)
        accept = ~state.started | decrease
        steps = state.steps + state.started.astype(state.steps.dtype)

        def accepted(_):
            again = (steps < max_steps) & ~converged(r, jnp.where(state.started, norm(state.here.residuals), jnp.inf))

            def with_jacobian(_):
                jacobian, curvature = _derivatives(kernel, settings, candidate, params, policy, game, g, pieces)
                step = jnp.linalg.solve(jacobian, -r)
                biggest = jnp.max(jnp.abs(step))
                step = step * jnp.minimum(1.0, max_log_step / jnp.where(biggest > 0, biggest, 1.0))
                return jacobian, curvature, jnp.where(again, step, 0.0)

            def without(_):
                return jnp.zeros((m, m), dtype), jnp.zeros((k, k), dtype), jnp.zeros(m, dtype)

            jacobian, curvature, step = jax.lax.cond(again | (max_steps == 0), with_jacobian, without, None)
            previous = jnp.where(state.started, norm(state.here.residuals), jnp.inf)
            return NewtonState(steps, jnp.zeros((), int), candidate, Point(r, jacobian, g, curvature), step,
                               jnp.ones((), dtype), again & ~jnp.all(jnp.isfinite(step)), jnp.ones((), bool), previous)

        def rejected(_):
            backtracks = state.backtracks + 1
            return state._replace(backtracks=backtracks, alpha=state.alpha / 2, stalled=backtracks >= max_backtracks)

        return jax.lax.cond(accept, accepted, rejected, None)

    empty = Point(jnp.zeros(m, dtype), jnp.zeros((m, m), dtype), jnp.zeros(k, dtype), jnp.zeros((k, k), dtype))
    start = NewtonState(jnp.zeros((), int), jnp.zeros((), int), z0, empty, jnp.zeros(m, dtype), jnp.ones((), dtype),
                        jnp.zeros((), bool), jnp.zeros((), bool), jnp.asarray(jnp.inf, dtype))
    return jax.lax.while_loop(not_done, body, start)
