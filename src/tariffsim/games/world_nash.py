"""Nash tariff wars at world scale: Newton on the stacked system of the equilibrium and every player's
first-order condition (issue 13 item 1), then a verification that each player's tariffs are a best
response.

Players choose

- ``uniform`` tariffs: one import tariff each on every partner and sector (K = P variables);
- ``mfn``: one tariff per player and sector, on every partner (K = P S);
- ``discriminatory``: one per player, partner and sector (K = P (N-1) S), while the stacked system
  has at most ``DISCRIMINATORY_LIMIT`` unknowns (its Jacobian is dense: see that constant).

The system (``games/_stacked.py``): unknowns z = (u, x), the model's equilibrium unknowns u (n) and the
tariffs x (K); equations F(u, t(x)) = 0 (the model's ``Kernel.residuals``) and, for every variable k
of player p, the Fischer-Burmeister/Billups form psi(x_k, g_k / scale_k) = 0 of the KKT conditions of
p's problem max log G_hat_p over lower <= x_k <= upper, where g_k is the total derivative of
log G_hat_p in x_k through the equilibrium (implicit function theorem with the exact J = d_u F from
JAX, ``jnp.linalg.solve`` with K right-hand sides) and scale_k the variable's baseline import share.
Its exact Jacobian comes from JAX (Hessian-vector products of the players' Lagrangians; equal to
``jax.jacfwd`` of the system, which ``jacobian="jacfwd"`` uses). A damped Newton with the rule of
``tariffsim.solve.newton`` (``_stacked.newton``: residuals and Jacobian evaluated together, since
they share the first-order work) solves it from the equilibrium at the start tariffs (default
1/(sigma - 1), sigma averaged over each player's imports for uniform tariffs).

Verification, every war: (1) the equilibrium at the Nash tariffs is solved again by
``calibration.model.solve`` (all equations within the model's tolerance; every reported number comes
from it); (2) the first-order (KKT) residual there, max |clip(x + g, l, u) - x| as in
``games.optimal``, is at most ``foc_tol``, and every player's own reduced Hessian is negative
semi-definite on its free tariffs; (3) a sample of players (all when P <= 10) re-optimise numerically
against the others' Nash tariffs with the existing engine (``optimal_tariffs``; for uniform tariffs a
scan of the tariff line and L-BFGS-B on a one-variable control), and none gains more than
``gain_tol`` in log G_hat. A war failing any check raises ConvergenceError saying which and what to try.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tariffsim._jax import jax, jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import _adjoint, _stacked
from tariffsim.games._bounds import OnUpperBound, fixed_imbalances, upper_bound_labels
from tariffsim.games.optimal import SearchOptions, bounded_search, optimal_tariffs
from tariffsim.interrupt import raise_if_interrupted
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule, Policy

Mode = Literal["uniform", "mfn", "discriminatory"]
MODES = ("uniform", "mfn", "discriminatory")

# Largest stacked system (n + K unknowns) solved for discriminatory tariffs. The Jacobian is dense, so a
# Newton step costs an LU factorisation of (n + K)^2 and K Hessian-vector products: measured on this
# 2-core machine (XLA single-threaded, benchmarks/world_nash.py), ossa2014 7 x 33 (n + K = 1,400) takes
# well under a second per step; 6,000 unknowns need about 0.3 GB and a few seconds per LU. WIOD 2014
# (44 x 43 x 16 = 30,272 tariffs) would need a 7.4 GB Jacobian and about 10 minutes per LU step.
DISCRIMINATORY_LIMIT = 6000

# Newton stops when every stacked residual is below this: the equilibrium equations (relative, as in the
# model) and the first-order conditions scaled by import shares. Rounding leaves about 1e-13 in the
# scaled conditions, so a tighter target only spends steps (and it also stops below the model's
# tolerance once a step no longer halves the residual); the verification that follows re-solves the
# equilibrium to the model's tolerance and checks the unscaled conditions against foc_tol.
NEWTON_TARGET = 1e-11

# Tangents per vectorised batch: about this many cube cells in all (256 KB of float64). Vectorising
# more tangents was slower, not faster, on this machine: for wiod2014 (31k cells) one point of the
# stacked system took 0.30 s with batches of 1 tangent, 0.37 s with 11 and 2.1 s with all 44 (the
# batched arrays leave the cache); small worlds (ossa2014: 1.6k cells) batch about 20.
BATCH_CELLS = 2 ** 15


@dataclass(frozen=True, eq=False)
class WorldNash(OnUpperBound):
    """A verified Nash tariff war solved on the stacked system.

    Attributes:
        players: codes of the countries at war (the others keep their tariffs).
        mode: ``uniform``, ``mfn`` or ``discriminatory``.
        tariffs: the players' Nash tariffs (fractions): (P,) uniform, (P, S) MFN, (P, N, S)
            discriminatory (exporter on the second axis; own cells 0), in the order of ``players``.
        labels: (K,) ``(player, partner or "*", sector or "*")`` of each chosen tariff in ``chosen``.
        chosen: (K,) the chosen tariffs. cube: (N,N,S) the whole tariff cube at the Nash equilibrium.
        equilibrium: the verified equilibrium at ``cube`` (``calibration.model.solve``).
        government_welfare_hat: (N,) G_hat with the war's weights (real income with unit weights and
            balanced trade), relative to the calibration's baseline.
        gradient: (K,) d log G_hat_player / d tariff through the equilibrium at the verified solution.
        foc_residual: the KKT residual max |clip(x + g, lower, upper) - x| (log G_hat per unit tariff).
        foc_residual_scaled: the same with g divided by each variable's import share.
        second_order: the largest eigenvalue of any player's own reduced Hessian of log G_hat on its free
            tariffs, each scaled by import shares (< 0: every player is at a strict local maximum; NaN
            for models with forward-mode derivatives only, where it is not computed).
        best_response_gains: checked player -> log G_hat it still gains by re-optimising (<= gain_tol).
        best_response_tariff_gap: checked player -> largest |response - Nash| tariff difference.
        inactive: labels of variables left out because their cells carry no baseline trade (their
            tariffs do nothing in a model in changes; they keep the values of the starting cube).
        indeterminate: labels of chosen tariffs on which the player's welfare does not depend (scaled own
            curvature and gradient both below 1e-9): any value is a best response, so the number is not
            the model's answer. ilms2025 has two: GMB and MHL buy (almost) nothing of their own goods
            (US$1 of domestic sales), and a uniform tariff on everything a country buys is neutral.
        newton_steps: steps of the stacked Newton; jacobians: exact Jacobians it computed (one is reused
            while it keeps cutting the residual fast). solve_seconds, verify_seconds, seconds: wall times.
        unknowns: n + K, the size of the stacked system.
    """

    players: tuple[str, ...]
    mode: str
    tariffs: np.ndarray
    labels: tuple[tuple[str, str, str], ...]
    chosen: np.ndarray
    cube: np.ndarray
    equilibrium: Equilibrium
    government_welfare_hat: np.ndarray
    gradient: np.ndarray
    foc_residual: float
    foc_residual_scaled: float
    second_order: float
    best_response_gains: Mapping[str, float]
    best_response_tariff_gap: Mapping[str, float]
    inactive: tuple[tuple[str, str, str], ...]
    indeterminate: tuple[str, ...]
    newton_steps: int
    jacobians: int
    solve_seconds: float
    verify_seconds: float
    seconds: float
    unknowns: int
    lower: float
    upper: float

    @property
    def welfare_hat(self) -> np.ndarray:
        """(N,) real expenditure change E_hat / P_hat (the verified equilibrium's)."""
        return self.equilibrium.welfare_hat

    @property
    def max_gain(self) -> float:
        """Largest remaining best-response gain in log G_hat among the checked players."""
        return max(self.best_response_gains.values())

    @property
    def at_lower_bound(self) -> tuple[str, ...]:
        """Labels (``"player partner sector"``) of chosen tariffs on the lower bound."""
        return tuple(" ".join(lab) for lab, x in zip(self.labels, self.chosen, strict=True) if x <= self.lower + 1e-12)

    @property
    def at_upper_bound(self) -> tuple[str, ...]:
        """Labels of chosen tariffs on the upper bound (the bound's number, not the model's)."""
        return upper_bound_labels(self.labels, self.chosen, self.upper)

    def mean_tariff_pct(self) -> np.ndarray:
        """(N,) each importer's tariffs averaged with its baseline imports as weights, percent (the
        uniform tariff itself for a uniform player)."""
        world = self.equilibrium.world
        imports = world.trade.copy()
        idx = np.arange(world.n_countries)
        imports[idx, idx, :] = 0
        total = imports.sum(axis=(0, 2))
        weighted = (imports * self.cube).sum(axis=(0, 2))
        return 100 * np.where(total > 0, weighted / np.where(total > 0, total, 1), np.nan)

    def to_frame(self):
        """Countries in rows: tariff % (import-weighted mean of its tariffs at baseline imports), welfare %
        (real income), gov. welfare % (G_hat with the war's weights), whether it played, and a note
        (``indeterminate``: its welfare does not depend on its tariffs, see ``indeterminate``)."""
        import pandas as pd

        world = self.equilibrium.world
        loose = {label.split(" ")[0] for label in self.indeterminate}
        return pd.DataFrame({"tariff %": self.mean_tariff_pct(), "welfare %": 100 * (self.welfare_hat - 1),
                             "gov. welfare %": 100 * (self.government_welfare_hat - 1),
                             "player": ["yes" if c in self.players else "" for c in world.countries],
                             "note": ["indeterminate" if c in loose else "" for c in world.countries]},
                            index=pd.Index(world.countries, name="country"))

    def tariff_frame(self):
        """One row per chosen tariff: player, partner (``*``: all), sector (``*``: all), tariff (fraction)."""
        import pandas as pd

        return pd.DataFrame([{"player": p, "partner": q, "sector": s, "tariff": float(x)}
                             for (p, q, s), x in zip(self.labels, self.chosen, strict=True)],
                            columns=["player", "partner", "sector", "tariff"])

    def facts(self) -> dict:
        """Verification and convergence facts (residuals, remaining gains, steps, seconds)."""
        return {"mode": self.mode, "players": len(self.players), "unknowns": self.unknowns,
                "equilibrium_residual": self.equilibrium.max_residual, "foc_residual": self.foc_residual,
                "foc_residual_scaled": self.foc_residual_scaled, "second_order": self.second_order,
                "max_gain": self.max_gain, "best_response_gains": dict(self.best_response_gains),
                "best_response_tariff_gap": dict(self.best_response_tariff_gap),
                "newton_steps": self.newton_steps, "jacobians": self.jacobians, "solve_seconds": self.solve_seconds,
                "verify_seconds": self.verify_seconds, "seconds": self.seconds,
                "upper_bound": self.upper, "at_lower_bound": list(self.at_lower_bound),
                "at_upper_bound": list(self.at_upper_bound),
                "inactive": [" ".join(lab) for lab in self.inactive], "indeterminate": list(self.indeterminate)}


TEMPLATE = {"uniform": "importer", "mfn": "importer_sector", "discriminatory": "cell"}


@dataclass(frozen=True)
class _Layout:
    """Which cells each variable sets (``slots`` into the mode's template, ``mask`` of the cells), who
    owns it, its label and import share, and the variables left out for lack of trade."""

    slots: np.ndarray  # (K,)
    mask: np.ndarray  # (N,N,S) bool
    owner: np.ndarray  # (K,) player position
    labels: list[tuple[str, str, str]]
    sectors: np.ndarray  # (K,) sector of the variable (-1: all)
    scale: np.ndarray  # (K,)
    inactive: list[tuple[str, str, str]]


def _layout(world, player_idx: Sequence[int], mode: str) -> _Layout:
    n, s_count = world.n_countries, world.n_sectors
    trade = world.trade
    expenditure = world.expenditure
    mask = np.zeros((n, n, s_count), dtype=bool)
    slots, owner, labels, sectors, scale, inactive = [], [], [], [], [], []

    def add(p: int, j: int, cells: tuple, slot: int, label, s_of_var: int) -> None:
        share = trade[cells].sum() / expenditure[j] if expenditure[j] > 0 else 0.0
        if not share > 0:
            inactive.append(label)
            return
        mask[cells] = True
        slots.append(slot)
        owner.append(p)
        labels.append(label)
        sectors.append(s_of_var)
        scale.append(share)

    for p, j in enumerate(player_idx):
        code = world.countries[j]
        others = np.array([i for i in range(n) if i != j], dtype=int)
        if mode == "uniform":
            cells = (np.repeat(others, s_count), np.full(others.size * s_count, j), np.tile(np.arange(s_count), others.size))
            add(p, j, cells, j, (code, "*", "*"), -1)
        elif mode == "mfn":
            for s in range(s_count):
                add(p, j, (others, np.full(others.size, j), np.full(others.size, s)), j * s_count + s,
                    (code, "*", world.sectors[s]), s)
        else:
            for s in range(s_count):
                for i in others:
                    add(p, j, (np.array([i]), np.array([j]), np.array([s])), (i * n + j) * s_count + s,
                        (code, world.countries[i], world.sectors[s]), s)
    return _Layout(np.asarray(slots, dtype=int), mask, np.asarray(owner, dtype=int), labels,
                   np.asarray(sectors, dtype=int), np.asarray(scale, dtype=float), inactive)


def _default_start(world, layout: _Layout, player_idx: Sequence[int], mode: str) -> np.ndarray:
    """1/(sigma - 1): per sector, or with sigma averaged over the importer's baseline imports (uniform)."""
    sigma = world.sigma
    if mode != "uniform":
        return 1.0 / (sigma[layout.sectors] - 1)
    imports = world.foreign_trade.sum(axis=0)  # (N, S) imports by importer
    start = []
    for p in layout.owner:
        j = player_idx[p]
        w = imports[j] / imports[j].sum() if imports[j].sum() > 0 else np.full(world.n_sectors, 1 / world.n_sectors)
        start.append(1.0 / ((w * sigma).sum() - 1))
    return np.asarray(start)


def _settings(kernel, layout: _Layout, n: int, players: int, world, mode: str, jacobian: str, batch: int | None):
    reverse = kernel.gradients == "reverse"
    if jacobian not in ("auto", "hvp", "jacfwd"):
        raise OptionError(f"jacobian must be 'auto', 'hvp' or 'jacfwd', not {jacobian!r}")
    if jacobian == "hvp" and not reverse:
        raise OptionError("jacobian='hvp' needs reverse-mode derivatives of the model; this model's kernel has "
                          f"{kernel.gradients!r} only: use jacobian='jacfwd' (or 'auto')")
    how = ("hvp" if reverse else "jacfwd") if jacobian == "auto" else jacobian
    k = len(layout.labels)
    cross = "reverse" if reverse and n + k > 2 * (n + players) else "forward"  # a cotangent costs about 2 tangents
    cube = world.n_countries ** 2 * world.n_sectors
    if batch is None:
        batch = int(max(1, min(max(k, 1), BATCH_CELLS // cube)))
    if batch < 1:
        raise OptionError(f"batch must be a positive number of tangents, not {batch!r}")
    return _stacked.Settings(reverse, cross, int(batch), how, TEMPLATE[mode])




def single_threaded_blas(function):
    """Run ``function`` with BLAS/LAPACK on one thread (as XLA runs in tariffsim, see ``tariffsim._jax``):
    on this 2-core machine under load, a 388 x 388 LU (one Newton step on ilms2025) took 160 ms with
    OpenBLAS's two threads and 7 ms with one; 2,430 x 2,430 took 0.36 s with one."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


@single_threaded_blas
def world_nash(
    calibration: Calibration,
    *,
    mode: Mode = "uniform",
    players: Sequence[str] | str | None = None,
    tariffs: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
    start: np.ndarray | float | None = None,
    net_exports: NetExportsRule = "fixed",
    check: int | str | Sequence[str] = 8,
    seed: int = 0,
    foc_tol: float = 1e-8,
    gain_tol: float = 1e-7,
    max_steps: int = 60,
    jacobian: str = "auto",
    batch: int | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> WorldNash:
    """The Nash equilibrium of a tariff war among ``players``, by Newton on the stacked system.

    Args:
        calibration: a calibrated world; its model (with its solver settings) solves every equilibrium
            and must give welfare gradients (krugman, armington; caliendo_parro with ``jacfwd``).
        mode: ``"uniform"`` (one tariff per player; default), ``"mfn"`` (per player and sector) or
            ``"discriminatory"`` (per player, partner and sector; stacked systems up to
            ``DISCRIMINATORY_LIMIT`` unknowns).
        players: countries at war (default: all; names, codes or country groups); the others keep
            their tariffs in ``tariffs``.
        tariffs: (N,N,S) the cube outside the players' choice (default: the world's tariffs).
        weights: (N,S) political-economy weights lambda (default ones: welfare, i.e. real income on
            balanced trade).
        lower, upper: bounds on every chosen tariff (fractions; defaults 0 and 10 = 1000%, as in
            ``optimal_tariffs``).
        start: starting tariffs, a scalar or one per variable (default: 1/(sigma - 1); for uniform
            tariffs sigma averaged over each player's baseline imports).
        net_exports: ``"fixed"`` (default) or ``"zero"``; on a purged world the two coincide.
        check: players to re-optimise in the best-response check: ``"all"``, a list of countries, or a
            number m (default 8): every player when there are at most max(10, m), else the three largest
            economies, the player with the largest scaled first-order residual and m - 4 drawn with
            ``seed`` (default 0).
        foc_tol: largest first-order (KKT) residual accepted, in log G_hat per unit tariff (1e-8).
        gain_tol: largest best-response gain accepted, in log G_hat (1e-7 = 0.00001%).
        max_steps: cap on Newton steps on the stacked system (60).
        jacobian: ``"auto"`` (Hessian-vector products when the model has reverse derivatives, else
            ``jacfwd``), ``"hvp"`` or ``"jacfwd"`` (forward-over-forward; slower, for checks).
        batch: tangents per vectorised batch (default: about ``BATCH_CELLS`` cube cells in all).
        on_progress: called with a short message at each stage (for progress displays).
    Raises:
        OptionError: an unknown mode, a discriminatory war too large to solve, bad bounds or start.
        ConvergenceError: the equilibrium at the Nash tariffs, the first-order or second-order
            conditions, or a player's best-response check failed (the message says which and what to try).

    BLAS runs on one thread inside (``single_threaded_blas``).
    """
    clock = time.perf_counter()
    say = on_progress or (lambda message: None)
    if mode not in MODES:
        raise OptionError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not (np.isfinite(lower) and np.isfinite(upper) and lower > -1 and upper > lower):
        raise OptionError(f"tariff bounds must be finite with -1 < lower < upper, got lower={lower!r}, "
                          f"upper={upper!r}")
    world = calibration.world
    model = calibration.model
    player_idx = world.country_indices(players if players is not None else "all")
    names = tuple(world.countries[j] for j in player_idx)
    what = f"world Nash ({mode}, {len(names)} player{'s' if len(names) != 1 else ''}, {model.name})"
    fixed = (world.tariffs if tariffs is None else np.asarray(tariffs, dtype=float)).copy()
    weights = np.ones((world.n_countries, world.n_sectors)) if weights is None else np.asarray(weights, float)
    layout = _layout(world, player_idx, mode)
    k = len(layout.labels)
    if k == 0:
        raise OptionError(f"none of the players ({', '.join(names)}) imports anything: there is no tariff to set")
    game_problem = _adjoint.problem(calibration, fixed, net_exports, "world Nash tariffs")
    n = int(game_problem.start.shape[0])
    if mode == "discriminatory" and n + k > DISCRIMINATORY_LIMIT:
        raise OptionError(
            f"a discriminatory war among {len(names)} players on {world.n_countries} x {world.n_sectors} has "
            f"{k:,} tariffs, a stacked system of {n + k:,} unknowns; the limit is {DISCRIMINATORY_LIMIT:,} (a "
            f"dense Jacobian of {8 * (n + k) ** 2 / 1e9:.1f} GB and an LU factorisation per Newton step). Use "
            "mode='mfn', fewer players, or a world with fewer countries or sectors (World.aggregate_countries, "
            "aggregate_sectors).")
    settings = _settings(game_problem.kernel, layout, n, len(names), world, mode, jacobian, batch)
    lower_k, upper_k = np.full(k, float(lower)), np.full(k, float(upper))
    groups, position = _groups(layout.owner, len(names))
    game = _stacked.Game(jnp.asarray(layout.slots), jnp.asarray(layout.mask), jnp.asarray(layout.owner),
                         jnp.asarray(groups), jnp.asarray(position), jnp.asarray(player_idx, dtype=int),
                         jnp.asarray(weights), jnp.asarray(layout.scale), jnp.asarray(lower_k), jnp.asarray(upper_k))

    x0 = _start(start, world, layout, player_idx, mode, lower_k, upper_k)
    config = game_problem.config
    at_start = game_problem.policy._replace(
        tariffs=_stacked.cube(jnp.asarray(x0), game_problem.fixed, game, settings.template))
    u0, residual0 = _adjoint.solve_equilibrium(game_problem.kernel, config, game_problem.start,
                                               game_problem.params, at_start)
    if not float(residual0) <= config.tol:
        u0 = game_problem.start
    say(f"solving the stacked system: {n} equilibrium unknowns + {k} tariffs ({mode}, {len(names)} players)")
    args = (game_problem.params, game_problem.policy, game)
    raise_if_interrupted()
    result = _stacked.newton(jnp.concatenate([jnp.asarray(u0), jnp.asarray(x0)]), *args,
                             NEWTON_TARGET, max_steps, min(config.max_backtracks, 30),
                             config.max_log_step, config.tol, kernel=game_problem.kernel, settings=settings)
    z = np.asarray(result.z)
    steps, jacobians = int(result.steps), int(result.jacobians)
    solve_seconds = time.perf_counter() - clock
    if not np.all(np.isfinite(z)):
        raise ConvergenceError(
            f"{what}: the stacked Newton diverged (non-finite unknowns after {steps} steps). "
            + what_to_try(world, net_exports, "start= closer to the solution, a lower upper bound (upper=...)"))
    x = np.clip(z[n:], lower_k, upper_k)
    verify_clock = time.perf_counter()
    cube = np.asarray(_stacked.cube(jnp.asarray(x), game_problem.fixed, game, settings.template))
    say("verifying: the equilibrium at the Nash tariffs")
    try:
        equilibrium = model.solve(calibration, Policy(cube, net_exports, name=f"Nash tariffs ({mode})"))
    except ConvergenceError as error:
        raise ConvergenceError(f"{what}: the equilibrium at the tariffs found does not solve ({error}). "
                               + what_to_try(world, net_exports, "a lower upper bound (upper=...), another start "
                                             "(start=...)")) from error
    z_check = jnp.concatenate([jnp.asarray(equilibrium.unknowns), jnp.asarray(x)])
    say("verifying: first- and second-order conditions")
    # The same compiled Newton with no step: the evaluation at the verified equilibrium.
    check_point = _stacked.newton(z_check, *args, 0.0, 0, 1, 1.0, 0.0, kernel=game_problem.kernel,
                                  settings=settings).here
    gradient, curvature = np.asarray(check_point.gradient), np.asarray(check_point.curvature)
    kkt = float(_stacked.kkt_residual(x, gradient, lower_k, upper_k))
    kkt_scaled = float(_stacked.kkt_residual(x, gradient / layout.scale, lower_k, upper_k))
    labels = [tuple(label) for label in layout.labels]
    if not kkt <= foc_tol:
        worst = int(np.argmax(np.abs(np.clip(x + gradient, lower_k, upper_k) - x)))
        raise ConvergenceError(
            f"{what}: first-order (KKT) residual {kkt:.2e} > {foc_tol:g} after {steps} Newton steps on {n + k} "
            f"unknowns{' (stalled)' if bool(result.stalled) else ''}; worst: {' '.join(labels[worst])} (tariff "
            f"{x[worst]:.4g}, gradient {gradient[worst]:.3g}). "
            + what_to_try(world, net_exports, "more steps (max_steps=...), start= closer to the solution, a lower "
                          "upper bound (upper=...)"))
    second = _second_order(curvature, layout, x, lower_k, upper_k, settings.reverse)
    indeterminate = _indeterminate(curvature, gradient, layout, settings.reverse)
    if indeterminate:
        say(f"note: welfare does not depend on {len(indeterminate)} chosen tariffs ({', '.join(indeterminate[:5])}"
            f"{', ...' if len(indeterminate) > 5 else ''}): any value is a best response")
    if second > 1e-9:
        raise ConvergenceError(
            f"{what}: the first-order conditions hold (residual {kkt:.1e}) but a player's welfare is not at a "
            f"maximum in its own tariffs (largest scaled own curvature {second:.3g} > 0): a stationary point that "
            "is not a Nash equilibrium. " + what_to_try(world, net_exports, "another start (start=...)"))
    gains, gaps = _best_response_check(calibration, equilibrium, cube, player_idx, layout, x, gradient, mode,
                                       weights, float(lower), float(upper), net_exports, check, seed, say)
    bad = {c: g for c, g in gains.items() if not g <= gain_tol}
    if bad:
        country, gain = max(bad.items(), key=lambda item: item[1])
        raise ConvergenceError(
            f"{what}: not a Nash equilibrium: re-optimising against the others' tariffs, {country} gains "
            f"{gain:.3g} in log welfare (tolerance {gain_tol:g}; its tariffs move by up to {gaps[country]:.3g}) "
            f"although the first-order residual is {kkt:.1e}. The stacked Newton found a local, not a global, "
            "best response. " + what_to_try(world, net_exports, "another start (start=...)"))
    verify_seconds = time.perf_counter() - verify_clock
    return WorldNash(
        players=names, mode=mode, tariffs=_shaped(x, layout, world, player_idx, mode, cube), labels=tuple(labels),
        chosen=x, cube=cube, equilibrium=equilibrium,
        government_welfare_hat=equilibrium.government_welfare_hat(weights), gradient=gradient,
        foc_residual=kkt, foc_residual_scaled=kkt_scaled, second_order=second,
        best_response_gains=gains, best_response_tariff_gap=gaps,
        inactive=tuple(tuple(label) for label in layout.inactive), indeterminate=indeterminate, newton_steps=steps,
        jacobians=jacobians,
        solve_seconds=solve_seconds, verify_seconds=verify_seconds, seconds=time.perf_counter() - clock,
        unknowns=n + k, lower=float(lower), upper=float(upper))


def what_to_try(world, net_exports: NetExportsRule, python_options: str) -> str:
    """What to try after a failed stacked Newton, command line and Python API apart (as the failed
    counterfactual's hint of ``tariffsim.solve`` does): first the likely cause when net exports are held
    at the data's non-zero imbalances (``fixed_imbalances``), with the options that remove it; then the
    round-by-round engine; ``python_options`` (keyword arguments of ``world_nash``) marked as Python-only."""
    rounds = ("the round-by-round engine (tariffsim nash --method jacobi, tariffsim optimal --method search; MFN "
              "or per-partner tariffs), which stops at the bound and says so")
    python = (f"{python_options}, or games.nash_tariffs round by round (these are for the Python API only: the "
              "command line has no option for them)")
    if not fixed_imbalances(world, net_exports):
        return f"Try: --mode mfn on the command line, or {rounds}. Python API: {python}."
    j = int(np.argmax(np.abs(world.net_exports)))
    share = 100 * abs(world.net_exports[j]) / float(np.sum(world.expenditure))
    return (f"Likely cause: net exports are fixed at the data's imbalances ({world.countries[j]}'s "
            f"{'surplus' if world.net_exports[j] > 0 else 'deficit'} is {share:.2g}% of world spending): they push "
            "optimal tariffs towards the upper bound, where the world cannot keep those imbalances, so there is no "
            "interior optimum to converge to (Ossa 2014 purges them first). Command line: run with --purge, or "
            f"--net-exports zero; or {rounds}. Python API: calibrate on tariffsim.purge.purge(world), or "
            f"net_exports=\"zero\"; {python}.")


def _groups(owner: np.ndarray, players: int) -> tuple[np.ndarray, np.ndarray]:
    """(P, G) each player's variables padded with -1 (G: the most any player has), and (K,) the position
    of each variable in the flattened array."""
    counts = np.bincount(owner, minlength=players)
    width = max(1, int(counts.max()) if counts.size else 1)
    groups = np.full((players, width), -1, dtype=int)
    position = np.empty(owner.size, dtype=int)
    for p in range(players):
        members = np.nonzero(owner == p)[0]
        groups[p, :members.size] = members
        position[members] = p * width + np.arange(members.size)
    return groups, position


def _start(start, world, layout: _Layout, player_idx, mode: str, lower_k, upper_k) -> np.ndarray:
    k = len(layout.labels)
    if start is None:
        x0 = _default_start(world, layout, player_idx, mode)
    else:
        x0 = np.asarray(start, dtype=float)
        if x0.ndim == 0:
            x0 = np.full(k, float(x0))
        if x0.shape != (k,) or not np.all(np.isfinite(x0)):
            raise OptionError(f"start must be a finite scalar or {k} tariffs (one per chosen tariff, in the order "
                              f"of the result's labels), got shape {x0.shape}")
    return np.clip(x0, lower_k, upper_k)


def _shaped(x, layout: _Layout, world, player_idx, mode: str, cube: np.ndarray) -> np.ndarray:
    """The players' tariffs as (P,), (P, S) or (P, N, S) read from the cube."""
    columns = np.stack([cube[:, j, :] for j in player_idx])  # (P, N, S)
    if mode == "discriminatory":
        return columns
    if mode == "mfn":
        out = np.empty((len(player_idx), world.n_sectors))
        for p, j in enumerate(player_idx):
            others = [i for i in range(world.n_countries) if i != j]
            out[p] = cube[others[0], j, :] if others else 0.0
        return out
    out = np.empty(len(player_idx))
    for p, j in enumerate(player_idx):
        owned = np.nonzero(layout.owner == p)[0]
        out[p] = x[owned[0]] if owned.size else np.nan
    return out


def _second_order(curvature, layout: _Layout, x, lower, upper, computed: bool) -> float:
    """Largest eigenvalue of any player's scaled own reduced Hessian on its free tariffs."""
    if not computed:
        return float("nan")
    free = (x > lower + 1e-10) & (x < upper - 1e-10)
    largest = -np.inf
    for p in np.unique(layout.owner):
        own = np.nonzero((layout.owner == p) & free)[0]
        if own.size == 0:
            continue
        d = 1 / np.sqrt(layout.scale[own])
        block = curvature[np.ix_(own, own)] * d[:, None] * d[None, :]
        largest = max(largest, float(np.max(np.linalg.eigvalsh(0.5 * (block + block.T)))))
    return largest if np.isfinite(largest) else float("nan")


def _indeterminate(curvature, gradient, layout: _Layout, computed: bool) -> tuple[str, ...]:
    """Labels of variables with scaled own curvature and gradient below 1e-9 (welfare flat in them)."""
    if not computed:
        return ()
    flat = (np.abs(np.diag(curvature)) / layout.scale <= 1e-9) & (np.abs(gradient) / layout.scale <= 1e-9)
    return tuple(" ".join(layout.labels[k]) for k in np.nonzero(flat)[0])


def sample_players(world, player_idx: Sequence[int], check, seed: int, worst: int | None = None) -> list[int]:
    """Positions (in ``player_idx``) of the players to re-optimise (see ``world_nash``'s ``check``)."""
    count = len(player_idx)
    if isinstance(check, str):
        if check.lower() != "all":
            check = [check]
        else:
            return list(range(count))
    if not isinstance(check, (int, np.integer)):
        wanted = world.country_indices(list(check))
        missing = [world.countries[j] for j in wanted if j not in player_idx]
        if missing:
            raise OptionError(f"check names {', '.join(missing)}, who {'is' if len(missing) == 1 else 'are'} not at war")
        return [list(player_idx).index(j) for j in wanted]
    if check < 1:
        raise OptionError(f"check must name players, be 'all' or a positive number, not {check!r}: every war is "
                          "verified")
    if count <= max(10, int(check)):
        return list(range(count))
    size = world.expenditure[list(player_idx)]
    chosen = [int(p) for p in np.argsort(-size)[:3]]
    if worst is not None and worst not in chosen:
        chosen.append(worst)
    rest = [p for p in range(count) if p not in chosen]
    rng = np.random.default_rng(seed)
    extra = max(0, int(check) - len(chosen))
    chosen += [int(p) for p in rng.choice(rest, size=min(extra, len(rest)), replace=False)]
    return chosen


def _best_response_check(calibration, equilibrium, cube, player_idx, layout: _Layout, x, gradient, mode, weights,
                         lower, upper, net_exports, check, seed, say) -> tuple[dict, dict]:
    """Re-optimise the sampled players against the others' Nash tariffs: gain in log G_hat and tariff gap."""
    world = calibration.world
    scaled = np.abs(np.clip(x + gradient / layout.scale, lower, upper) - x)
    worst = int(layout.owner[int(np.argmax(scaled))]) if scaled.size else None
    sampled = sample_players(world, player_idx, check, seed, worst)
    nash_log = np.log(equilibrium.government_welfare_hat(weights))
    gains, gaps = {}, {}
    for p in sampled:
        j = player_idx[p]
        code = world.countries[j]
        own = np.nonzero(layout.owner == p)[0]
        if own.size == 0:
            continue
        say(f"verifying: best response of {code}")
        if mode == "uniform":
            value, response = uniform_best_response(calibration, code, cube, weights=weights, lower=lower,
                                                    upper=upper, net_exports=net_exports, start=float(x[own[0]]))
            gaps[code] = float(abs(response - x[own[0]]))
        else:
            value, gap = _engine_best_response(calibration, code, j, cube, mode, weights, lower, upper, net_exports)
            gaps[code] = gap
        gains[code] = float(value - nash_log[j])
    return gains, gaps


def _engine_best_response(calibration, code, j, cube, mode, weights, lower, upper, net_exports):
    """The existing engine's optimum (``optimal_tariffs``) from the Nash tariffs and from its own default
    start: (best log G_hat_j, largest tariff change of the best response)."""
    world = calibration.world
    others = [i for i in range(world.n_countries) if i != j]
    column = cube[others, j, :]  # (N-1, S)
    mfn = mode == "mfn"
    nash_start = column[0] if mfn else column.T.ravel()
    best_value, best_gap = -np.inf, 0.0
    for start in (nash_start, None):
        response = optimal_tariffs(calibration, code, tariffs=cube, weights=weights, mfn=mfn, lower=lower,
                                   upper=upper, start=start, net_exports=net_exports)
        value = float(np.log(response.government_welfare_hat[j]))
        if value > best_value:
            best_value = value
            best_gap = float(np.max(np.abs(response.tariffs[others, j, :] - column)))
    return best_value, best_gap


def uniform_control(world, country: int) -> _adjoint.Control:
    """The cells of a uniform import tariff of ``country``: every partner and sector, one variable (built
    like ``optimal.control_for``'s MFN cells)."""
    others = [i for i in range(world.n_countries) if i != country]
    exporter = [i for s in range(world.n_sectors) for i in others]
    sector = [s for s in range(world.n_sectors) for _ in others]
    return _adjoint.Control(jnp.asarray(exporter, dtype=int), jnp.full(len(exporter), country, dtype=int),
                            jnp.asarray(sector, dtype=int), jnp.zeros(len(exporter), dtype=int))


@functools.partial(jax.jit, static_argnames=("kernel", "config"))
def _line_values(points, u0, *, kernel, config, params, policy, control, weights, country):
    """log G_hat of ``country`` at each uniform tariff in ``points`` (equilibria warm-started along the
    line), with each solve's largest residual."""

    def one(u, point):
        here = policy._replace(tariffs=_adjoint.tariff_cube(point[None], policy.tariffs, control))
        u_new, residual = _adjoint.solve_equilibrium(kernel, config, u, params, here)
        value = jnp.log(_adjoint.government_welfare(kernel, u_new, params, here, weights)[country])
        return jnp.where(residual <= config.tol, u_new, u0), (value, residual)

    return jax.lax.scan(one, u0, points)[1]


def uniform_best_response(calibration: Calibration, country: str, tariffs: np.ndarray, *,
                          weights: np.ndarray | None = None, lower: float = 0.0, upper: float = 10.0,
                          net_exports: NetExportsRule = "fixed", start: float | None = None,
                          grid: int = 8, options: SearchOptions | None = None) -> tuple[float, float]:
    """``country``'s best uniform import tariff against ``tariffs`` (everyone else's fixed), by the existing
    engine: L-BFGS-B (``games.optimal.bounded_search``, exact gradients through the equilibrium) from
    ``start``, and log G_hat on a grid of ``grid`` tariffs in [lower, min(upper, 2)] plus ``upper`` (none
    with ``grid=0``): if a grid point beats the local optimum, L-BFGS-B again from the best one. Returns
    (best log G_hat, best tariff)."""
    options = options or SearchOptions()
    world = calibration.world
    j = world.country_index(country)
    weights = np.ones((world.n_countries, world.n_sectors)) if weights is None else np.asarray(weights, float)
    control = uniform_control(world, j)
    game = _adjoint.problem(calibration, np.asarray(tariffs, dtype=float), net_exports, "uniform best response")
    args = dict(**game.kwargs, control=control, weights=jnp.asarray(weights),
                country_weights=jnp.asarray(np.eye(world.n_countries)[j]))
    if grid == 0 and start is None:
        raise OptionError("uniform_best_response needs a start or a grid")
    best_value, best_x = -np.inf, float(lower if start is None else start)
    if start is not None:
        x, value, _, _, _ = bounded_search(np.array([float(start)]), np.array([lower]), np.array([upper]), args,
                                           options, world.countries[j], game.start)
        best_value, best_x = float(value), float(x[0])
    if grid:
        points = np.unique(np.concatenate([np.linspace(lower, min(upper, 2.0), grid), [upper]]))
        values, residuals = _line_values(jnp.asarray(points), game.start, **game.kwargs, control=control,
                                         weights=jnp.asarray(weights), country=j)
        values = np.where(np.asarray(residuals) <= game.config.tol, np.asarray(values), -np.inf)
        top = int(np.argmax(values))
        if values[top] > best_value + 1e-12:
            x, value, _, _, _ = bounded_search(np.array([points[top]]), np.array([lower]), np.array([upper]), args,
                                               options, world.countries[j], game.start)
            best_value, best_x = max((best_value, best_x), (float(value), float(x[0])), (float(values[top]), float(points[top])))
    return best_value, best_x
