"""The one solver: ``solve(model, calibration, policy)``, a damped Newton with an exact Jacobian
compiled with JAX, SciPy's hybrid method as fallback, and the check of every equation.

Every model goes through ``solve`` (see ``tariffsim.models.base`` for the contract): the model's
``equations(calibration, policy)`` gives pure JAX functions of the unknowns ``u``; the Newton loop runs
inside ``jax.lax.while_loop``, so one solve is one compiled call (compiled once per model and array
shape). ``newton`` is also the Newton of the games (inside their compiled objectives) and of
calibrations that solve a square system of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import scipy.optimize

from tariffsim._jax import jax, jnp
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.interrupt import raise_if_interrupted

if TYPE_CHECKING:
    from tariffsim.equilibrium import Equilibrium
    from tariffsim.models.base import Calibration, Equations
    from tariffsim.policy import Policy


@dataclass(frozen=True)
class SolverConfig:
    """Tolerances and caps of an equilibrium solve.

    Attributes:
        tol: a solution is accepted when every relative residual (of all equations, including the
            one dropped by Walras' law) is at most ``tol``; otherwise ConvergenceError.
        newton_target: Newton iterates until the largest residual is below this (or it stalls).
        max_steps: cap on Newton steps.
        max_backtracks: cap on step halvings in the line search.
        max_log_step: largest change of any log-hat in one Newton step (damping far from the solution).
        fallback: try ``scipy.optimize.root(method="hybr")`` when Newton fails.
    """

    tol: float = 1e-10
    newton_target: float = 1e-13
    max_steps: int = 60
    max_backtracks: int = 40
    max_log_step: float = 1.0
    fallback: bool = True

    def __post_init__(self) -> None:
        for name in ("tol", "newton_target", "max_log_step"):
            if not getattr(self, name) > 0:
                raise OptionError(f"SolverConfig.{name} must be positive, got {getattr(self, name)!r}")
        if self.max_steps < 0 or self.max_backtracks < 1:
            raise OptionError("SolverConfig.max_steps must be >= 0 and max_backtracks >= 1, got "
                              f"{self.max_steps!r} and {self.max_backtracks!r}")


class NewtonResult(NamedTuple):
    u: jnp.ndarray
    residuals: jnp.ndarray
    steps: jnp.ndarray
    stalled: jnp.ndarray


Residuals = Callable[..., jnp.ndarray]


@partial(jax.jit, static_argnames=("residuals", "jacobian", "max_steps", "max_backtracks"))
def newton(residuals: Residuals, jacobian: Residuals, u0, args, *, target, max_steps: int,
           max_backtracks: int, max_log_step) -> NewtonResult:
    """Newton's method with step capping and a backtracking line search on ||F||_2.

    Stops when max|F| <= target, after ``max_steps`` steps, or when no step length decreases ||F||
    (``stalled``). Returns the last iterate; the caller verifies it.
    """

    def norm(r):
        return jnp.sqrt(jnp.sum(r * r))

    def not_done(state):
        step, _, r, stalled = state
        return (step < max_steps) & (jnp.max(jnp.abs(r)) > target) & ~stalled

    def damped_step(state):
        step, u, r, _ = state
        direction = jnp.linalg.solve(jacobian(u, *args), -r)
        biggest = jnp.max(jnp.abs(direction))
        direction = direction * jnp.minimum(1.0, max_log_step / jnp.where(biggest > 0, biggest, 1.0))
        base_norm = norm(r)

        def too_long(line):
            alpha, k, _, r_try = line
            return (k < max_backtracks) & ~(norm(r_try) <= (1 - 1e-4 * alpha) * base_norm)

        def halve(line):
            alpha, k, _, _ = line
            alpha = alpha / 2
            u_try = u + alpha * direction
            return alpha, k + 1, u_try, residuals(u_try, *args)

        u_full = u + direction
        alpha, k, u_new, r_new = jax.lax.while_loop(too_long, halve, (1.0, 0, u_full, residuals(u_full, *args)))
        accepted = norm(r_new) <= (1 - 1e-4 * alpha) * base_norm
        return (step + 1, jnp.where(accepted, u_new, u), jnp.where(accepted, r_new, r), ~accepted)

    r0 = residuals(u0, *args)
    step, u, r, stalled = jax.lax.while_loop(not_done, damped_step, (0, u0, r0, False))
    return NewtonResult(u, r, step, stalled)


class RootResult(NamedTuple):
    """Unknowns found, the method that found them, its Newton steps (or evaluations), and the
    value of ``evaluate`` at the unknowns."""

    u: np.ndarray
    method: str
    steps: int
    evaluation: object


def find_root(residuals: Residuals, jacobian: Residuals, evaluate: Callable, u0, args, config: SolverConfig,
              accept: Callable[[object], bool]) -> RootResult:
    """Newton first; if ``accept(evaluate(u, *args))`` is false, SciPy's ``hybr`` from ``u0``.

    ``evaluate`` (ideally jitted) computes from the unknowns whatever the caller needs to verify and
    report the solution, once per candidate. Returns the accepted attempt, or Newton's when neither
    is accepted (the caller raises ConvergenceError).
    """
    raise_if_interrupted()  # a Ctrl-C that a C callback swallowed during the last solve stops here
    result = newton(residuals, jacobian, jnp.asarray(u0), args, target=config.newton_target,
                    max_steps=config.max_steps, max_backtracks=config.max_backtracks,
                    max_log_step=config.max_log_step)
    evaluation = evaluate(result.u, *args)
    newton_root = RootResult(np.asarray(result.u), "newton", int(result.steps), evaluation)
    raise_if_interrupted()
    if accept(evaluation) or not config.fallback:
        return newton_root
    residual_fn = jax.jit(residuals)
    jacobian_fn = jax.jit(jacobian)
    fallback = scipy.optimize.root(
        lambda x: np.asarray(residual_fn(jnp.asarray(x), *args)), np.asarray(u0),
        jac=lambda x: np.asarray(jacobian_fn(jnp.asarray(x), *args)), method="hybr",
        options={"xtol": 1e-14},
    )
    if np.all(np.isfinite(fallback.x)):
        evaluation = evaluate(jnp.asarray(fallback.x), *args)
        if accept(evaluation):
            return RootResult(fallback.x, "hybr", int(fallback.nfev), evaluation)
    return newton_root


@lru_cache(maxsize=None)
def kernel_jacobian(kernel) -> Residuals:
    """The Jacobian function of a model ``Kernel``: its own, or ``jax.jacfwd`` of its residuals (one
    function object per kernel, so compiled code is reused)."""
    return kernel.jacobian if kernel.jacobian is not None else jax.jacfwd(kernel.residuals)


@partial(jax.jit, static_argnames=("full_residuals", "outcome"))
def _check(u, params, policy, *, full_residuals, outcome):
    """Every equation's residual and the outcome at ``u``, in one compiled call."""
    return full_residuals(u, params, policy), outcome(u, params, policy)


def solve(model: Any, calibration: Calibration, policy: Policy, config: SolverConfig | None = None) -> Equilibrium:
    """The counterfactual equilibrium of ``policy`` under ``model``, verified against every equation.

    Args:
        model: any object with the model contract (``tariffsim.models.base``).
        calibration: ``model.calibrate(world)``.
        policy: the counterfactual; an instrument the model does not have is refused by name.
        config: solver settings (default: the model's own ``solver``).
    Raises:
        ConvergenceError: the largest relative residual of the equations exceeds ``config.tol``;
            the message names the failing equations and what to try.
    """
    from tariffsim.equilibrium import Equilibrium

    config = config if config is not None else model.solver
    world = calibration.world
    model.check_instruments(policy, world)
    equations = model.equations(calibration, policy)
    kernel = equations.kernel
    tol = config.tol

    def evaluate(u, params, policy_arrays):
        return _check(u, params, policy_arrays, full_residuals=kernel.full_residuals, outcome=kernel.outcome)

    def accept(evaluation) -> bool:
        residuals = np.asarray(evaluation[0])
        return bool(np.all(np.isfinite(residuals)) and np.max(np.abs(residuals)) <= tol)

    root = find_root(kernel.residuals, kernel_jacobian(kernel), evaluate, equations.start,
                     (equations.params, equations.policy), config, accept)
    residuals = np.asarray(root.evaluation[0])
    if not accept(root.evaluation):
        raise ConvergenceError(_failure_message(model, equations, policy, residuals, root, tol, world))
    outcome = jax.tree.map(np.asarray, root.evaluation[1])
    return Equilibrium(model=model, calibration=calibration, policy=policy, outcome=outcome,
                       unknowns=np.asarray(root.u), residuals=residuals, equations=equations.equations,
                       method=root.method, steps=root.steps, unknown_labels=equations.unknowns)


def _failure_message(model, equations: Equations, policy: Policy, residuals: np.ndarray, root: RootResult,
                     tol: float, world) -> str:
    labels = equations.equations
    order = np.argsort(-np.nan_to_num(np.abs(residuals), nan=np.inf))
    failing = [f"{labels[k] if k < len(labels) else f'equation {k}'}: {residuals[k]:.3g}" for k in order[:5]
               if not abs(residuals[k]) <= tol]
    head = (
        f"{model.name} equilibrium for {policy.name or 'the policy'} did not converge: largest relative "
        f"residual {np.nanmax(np.abs(residuals)):.3g} > tolerance {tol:g} after {root.steps} {root.method} "
        f"steps. Failing equations: {'; '.join(failing)}."
    )
    solver_config = (f"SolverConfig is for the Python API only: {type(model).__name__}(solver=SolverConfig(...)) or "
                     "tariffsim.solve.solve(..., config=SolverConfig(...)); the command line has no option for it")
    causes = _net_export_causes(model, policy, world)
    if not causes:
        return f"{head} Try: {equations.what_to_try}. ({solver_config}.)"
    return f"{head} {causes} Other things to try: {equations.what_to_try}. ({solver_config}.)"


_NEARLY_NONE = 0.05  # imports (exports) below this fraction of a surplus (deficit) count as almost none


def _net_export_causes(model, policy: Policy, world) -> str:
    """The cause of the failure when the data say the counterfactual net exports cannot be met, with the
    user's options on the command line and in Python; "" when no country is in that position.

    In every model solved in changes a flow that is zero in the baseline stays zero, so a country whose
    net exports NX' are fixed at a surplus must export that much with the imports it has: with (almost)
    no imports, a shock to its exports leaves no equilibrium. Letting its net exports go (zero net
    exports, or a world purged of imbalances) helps when it has some imports; with none at all, even
    balanced trade needs its exports to vanish, so only the data can change.
    """
    if "net_exports" not in model.instruments:  # e.g. gravity_ge: no net-exports constraint
        return ""
    target, exports, imports = policy.net_exports_level(world), world.exports, world.imports
    almost, never = [], []  # (country, sentence): balancing its trade can help / cannot help
    for i, name in enumerate(world.countries):
        nx, ex, im = target[i], exports[i], imports[i]
        if nx == 0:
            if (ex > 0) != (im > 0):  # must balance, but one side is zero and stays zero
                flow, other = ("exports", "imports") if ex > 0 else ("imports", "exports")
                never.append((name, (f"{name} has {flow} ({max(ex, im):.4g}) but no {other} at all, so its "
                                     f"trade cannot balance (net exports 0) unless its {flow} vanish")))
            continue
        balance = "surplus" if nx > 0 else "deficit"
        side, kind = (im, "imports") if nx > 0 else (ex, "exports")
        if ex == 0 and im == 0:
            never.append((name, f"{name} has no foreign trade at all, so its net exports cannot be {nx:.4g}"))
        elif side == 0:
            never.append((name, (f"{name} has net exports of {nx:.4g} (a {balance}) but no {kind} at all, so "
                                 f"it cannot keep that {balance} in the new equilibrium (its {kind} stay zero)")))
        elif side <= _NEARLY_NONE * abs(nx):
            almost.append((name, (f"{name} has net exports of {nx:.4g} (a {balance}) but almost no {kind} "
                                  f"({side:.3g}), so it cannot keep that {balance} in the new equilibrium")))
    if not almost and not never:
        return ""
    found = almost + never
    more = len(found) - 3
    text = ("Likely cause: " + "; ".join(sentence for _, sentence in found[:3])
            + (f"; and {more} more such {'country' if more == 1 else 'countries'}" if more > 0 else "") + ".")
    if almost:
        purged = "model.balance(io_world)" if hasattr(model, "balance") else "tariffsim.purge.purge(world)"
        text += (" Command line: run with --purge, or set net_exports = \"zero\" in the scenario. Python API: "
                 f"Policy(..., net_exports=\"zero\"), or calibrate on the world purged of imbalances ({purged}).")
    if never:
        names = ", ".join(name for name, _ in never[:3]) + (", ..." if len(never) > 3 else "")
        text += (f" For {names}, --purge and net_exports = \"zero\" cannot help either: a flow that is zero in the "
                 "data stays zero in every counterfactual. Give it some foreign trade in the data, or merge it "
                 "with a trading partner (Python API: World.aggregate_countries).")
    return text
