"""The optimal US tariff and optimal retaliation in the ILMS (2025) model: the paper's closed forms
(MODEL_ILMS2025.md §6 B4, B5, B7) next to the game engine's optima on the same model and welfare.

The engine maximises the paper's welfare change Ŵ (§5; final spending with input-output links, §11.2):
the ``ilms`` Kernel gives it as ``welfare_parts`` and differentiates it through the equilibrium in
reverse mode (``games/_adjoint.py``). Every optimum here is verified as the engine always verifies:
the equilibrium re-solved by ``model.solve`` (every equation within tolerance) and the first-order
(KKT) residual at it; the Nash wars also re-optimise players with the existing engine.

- ``us_optimum``: the US's optimal uniform tariff against passive partners (``optimal_against_world``);
  the paper's counterpart is B4's ``optimal_tariff(cal, "expenditure")``.
- ``us_optimum_by_partner``: one optimal US tariff per exporter, the MPEC problem of IO2 (§11.3, bounds
  [0, 0.25] there), by scaled L-BFGS-B with adjoint gradients (``_maximise``).
- ``nash_retaliation``: every responder's optimal uniform import tariff (on all its imports) against the
  US schedule and one another's (``optimal_retaliation(..., given=True)``): a Nash war among the
  responders.
- ``joint_retaliation``: the responders' tariffs on US goods, one per country, chosen jointly to maximise
  their income-weighted mean welfare Σ Y_i Ŵ_i / Σ Y_i: the MPEC problem of IO4 (bounds [0, 0.5]), and the
  engine's counterpart of B5's two-region formula (the rest of the world as one region taxing US goods).

Should the closed forms equal the engine's optima? Not exactly: B4's t = 1 / ((1 + δ ε) φ_US - 1) is a
sufficient-statistics formula evaluated at the baseline (δ and the shares λ of the data), while the
engine maximises Ŵ_US in the full equilibrium, where shares, labour supply (with the tax-relief term
τ̂ = 1/(1 - τ)) and scale effects all move with the tariff. If the formula were the exact optimum, the
gradient of ln Ŵ_US at its tariff would be 0; on ilms2025 it is 0.010, and the optimum is 25.1% against
B4's 21.8% (``tests/test_ilms_games.py`` pins the gap and checks the optimum beats the formula on Ŵ_US).
B5 prices the rest of the world as one region with one tariff on US goods; the engine's answers are per
country, jointly (``joint_retaliation``) or each for itself (``nash_retaliation``, on all imports).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.optimize

from tariffsim._jax import jax, jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError
from tariffsim.games import _adjoint
from tariffsim.games.optimal import SearchOptions
from tariffsim.games.retaliation import Retaliation, optimal_against_world, optimal_retaliation
from tariffsim.games.world_nash import WorldNash
from tariffsim.ilms_data import HOME
from tariffsim.ilms_experiments import optimal_retaliation_tariff, optimal_tariff
from tariffsim.models.base import Calibration
from tariffsim.policy import Policy


def no_tariffs(calibration: Calibration) -> np.ndarray:
    """(N, N, 1) zeros: B4's world, where the US tariff is the only one."""
    n = calibration.world.n_countries
    return np.zeros((n, n, 1))


def us_optimum(calibration: Calibration, *, tariffs: np.ndarray | None = None, upper: float = 2.0,
               **options) -> WorldNash:
    """The US's optimal uniform import tariff (fraction) against partners keeping ``tariffs`` (default: none),
    from B4's closed form; a verified one-player war (``optimal_against_world``; ``options`` go to
    ``world_nash``). ``upper`` bounds the search (tariffs of several hundred percent can leave no
    equilibrium with income-tax relief)."""
    tariffs = no_tariffs(calibration) if tariffs is None else tariffs
    return optimal_against_world(calibration, HOME, mode="uniform", tariffs=tariffs,
                                 start=optimal_tariff(calibration, "expenditure"), upper=upper, **options)


def tax_relief_limited(calibration: Calibration, rate: float, limit: float = 0.5) -> tuple[str, ...]:
    """Codes of the non-US countries whose income-tax relief would remove at least ``limit`` of their income
    if they taxed all imports at ``rate`` at baseline wages and shares: τ = ρ (Y + T) / ((1 - ρ) Y) with
    ρ = (1 - λ_ii) rate / (1 + rate). Small deficit countries (MHL, T = 3.7 Y; LBR; DJI) reach τ = 1 at
    moderate tariffs: beyond, §5's labour supply (τ̂ = 1/(1 - τ)) has no equilibrium, and the solver's start
    (the baseline) is already outside it. None with a lump-sum rebate."""
    params, world = calibration.params, calibration.world
    if float(params.tax_relief) == 0:
        return ()
    income, transfers = np.asarray(params.income), np.asarray(params.transfers)
    rho = (1 - np.diag(np.asarray(params.shares))) * rate / (1 + rate)
    tax = rho * (income + transfers) / ((1 - rho) * income)
    return tuple(c for c, t in zip(world.countries, tax, strict=True) if t >= limit and c != HOME)


def nash_retaliation(calibration: Calibration, tariffs: np.ndarray, *, responders=None, upper: float = 0.5,
                     **options) -> Retaliation:
    """Every responder's optimal uniform import tariff against the US schedule in ``tariffs`` (N, N, 1) and
    one another's: a verified Nash war (``optimal_retaliation(..., given=True)``), started from B5's
    closed form. ``responders`` default: every other country except ``tax_relief_limited(cal, upper)``
    (they stay passive: at their bound their equilibrium does not exist or cannot be reached from the
    baseline); ``options`` go to ``world_nash``."""
    if responders is None:
        passive = {HOME, *tax_relief_limited(calibration, upper)}
        responders = [c for c in calibration.world.countries if c not in passive]
    return optimal_retaliation(calibration, HOME, tariffs=tariffs, given=True, responders=responders,
                               start=optimal_retaliation_tariff(calibration), upper=upper, **options)


@dataclass(frozen=True, eq=False)
class WeightedOptimum:
    """Tariffs that maximise a weighted sum of the paper's welfare changes, Σ_i w_i Ŵ_i.

    Attributes:
        labels: (K,) ``(exporter, importer)`` of each chosen tariff. chosen: (K,) the tariffs (fractions).
        cube: (N, N, 1) the whole tariff cube. equilibrium: the verified equilibrium at ``cube``.
        weights: (N,) w (summing to 1). objective: Σ w_i Ŵ_i at the optimum.
        kkt_residual: max |clip(x + g, l, u) - x| with g the objective's gradient per unit tariff (the
            measure of ``games.optimal``). kkt_scaled: the same with g / d, d (K,) the variables' scales
            (``_maximise``), so that small and large flows weigh alike (about 1e-5 here: the objective, near
            1, is exact to about 1e-16 only, which is where L-BFGS-B stops).
        iterations, solves: L-BFGS-B's. seconds: wall time. lower, upper: the bounds.
    """

    labels: tuple[tuple[str, str], ...]
    chosen: np.ndarray
    cube: np.ndarray
    equilibrium: Equilibrium
    weights: np.ndarray
    objective: float
    kkt_residual: float
    kkt_scaled: float
    iterations: int
    solves: int
    seconds: float
    lower: float
    upper: float


@partial(jax.jit, static_argnames=("kernel", "config"))
def _weighted_welfare(x, u0, *, kernel, config, params, policy, control: _adjoint.Control, country_weights):
    """Σ_i w_i Ŵ_i at the equilibrium of tariffs ``x`` (K,), its gradient (K,) by one adjoint solve, the
    unknowns u and the Newton's largest residual."""
    here = policy._replace(tariffs=_adjoint.tariff_cube(x, policy.tariffs, control))
    u, residual = _adjoint.solve_equilibrium(kernel, config, u0, params, here)
    ones = jnp.ones((country_weights.shape[0], 1))

    def total(u_, policy_):
        return (country_weights @ _adjoint.government_welfare(kernel, u_, params, policy_, ones))[None]

    gradient = _adjoint._derivative(kernel, total, u, x, params, policy, control)[0]
    return total(u, here)[0], gradient, u, residual


def _maximise(calibration: Calibration, tariffs: np.ndarray, cells: tuple[np.ndarray, np.ndarray],
              weights: np.ndarray, start, lower: float, upper: float, options: SearchOptions | None,
              what: str) -> WeightedOptimum:
    """Max Σ w_i Ŵ_i over the tariffs of ``cells`` (exporters (K,), importers (K,)) in [lower, upper], the
    rest of ``tariffs`` (N, N, 1) fixed: L-BFGS-B with exact gradients through the equilibrium, in variables
    y = x sqrt(d), d_k = w of the importer's (or, if it has none, the exporter's) welfare times the flow's
    baseline share of the importer's spending (without it, the tiny gradients of small flows stall the search).
    Verified: the equilibrium re-solved by ``model.solve``, KKT residual at most ``options.kkt_tolerance``."""
    options = options or SearchOptions()
    world = calibration.world
    exporters, importers = (np.asarray(c, dtype=int) for c in cells)
    k = exporters.size
    control = _adjoint.Control(jnp.asarray(exporters), jnp.asarray(importers), jnp.zeros(k, dtype=int), jnp.arange(k))
    owner = np.where(weights[importers] > 0, weights[importers], weights[exporters])
    scale = np.sqrt(owner * np.asarray(calibration.params.shares)[exporters, importers])
    game = _adjoint.problem(calibration, np.asarray(tariffs, dtype=float), "fixed", what)
    args = dict(**game.kwargs, control=control, country_weights=jnp.asarray(weights))
    state = {"u": game.start, "solves": 0}

    def evaluate(x):
        value, gradient, u, residual = _weighted_welfare(jnp.asarray(x), state["u"], **args)
        state["solves"] += 1
        if not float(residual) <= game.config.tol:
            raise ConvergenceError(f"{what}: the equilibrium at tariffs in [{np.min(x):.3g}, {np.max(x):.3g}] failed "
                                   f"(residual {float(residual):.2e}); try a lower upper bound")
        state["u"] = u
        return float(value), np.asarray(gradient)

    def negative(y):  # x = y / scale
        value, gradient = evaluate(y / scale)
        return -value, -gradient / scale

    x0 = np.clip(np.broadcast_to(np.asarray(start, float), (k,)), lower, upper)
    clock = time.perf_counter()
    result = scipy.optimize.minimize(negative, x0 * scale, jac=True, method="L-BFGS-B",
                                     bounds=list(zip(lower * scale, upper * scale, strict=True)),
                                     options={"maxiter": options.max_iterations, "ftol": options.ftol,
                                              "gtol": options.gtol, "maxcor": options.memory})
    x = np.clip(result.x / scale, lower, upper)
    value, gradient = evaluate(x)
    kkt = float(np.max(np.abs(np.clip(x + gradient, lower, upper) - x)))
    kkt_scaled = float(np.max(np.abs(np.clip(x + gradient / scale ** 2, lower, upper) - x)))
    cube = np.array(tariffs, dtype=float, copy=True)
    cube[exporters, importers, 0] = x
    equilibrium = calibration.model.solve(calibration, Policy(cube, name=what))
    if not kkt <= options.kkt_tolerance:
        raise ConvergenceError(f"{what}: first-order (KKT) residual {kkt:.2e} > {options.kkt_tolerance:g} after {result.nit} "
                               f"iterations ({result.message}); try SearchOptions(max_iterations=...), another start "
                               "or a lower upper bound")
    labels = tuple((world.countries[e], world.countries[i]) for e, i in zip(exporters, importers, strict=True))
    return WeightedOptimum(labels, x, cube, equilibrium, weights, value, kkt, kkt_scaled, int(result.nit), state["solves"],
                           time.perf_counter() - clock, lower, upper)


def us_optimum_by_partner(calibration: Calibration, *, tariffs: np.ndarray | None = None, upper: float = 2.0,
                          start: float | None = None, options: SearchOptions | None = None) -> WeightedOptimum:
    """One optimal US import tariff per exporter ((N-1,), fractions in [0, ``upper``]) against ``tariffs``
    (default: none): max Ŵ_US (``_maximise``), from ``start`` (default: the uniform optimum of
    ``us_optimum``). IO2's MPEC problem with ``upper=0.25`` (§11.3). (``games.optimal_tariffs`` solves the
    same problem unscaled; on ilms2025 it needs minutes, this seconds.)"""
    tariffs = no_tariffs(calibration) if tariffs is None else tariffs
    world = calibration.world
    home = world.country_index(HOME)
    exporters = np.delete(np.arange(world.n_countries), home)
    if start is None:
        start = float(us_optimum(calibration, tariffs=tariffs, upper=upper).tariffs[0])
    return _maximise(calibration, tariffs, (exporters, np.full(exporters.size, home)),
                     np.eye(world.n_countries)[home], start, 0.0, upper, options, "US optimal tariffs by partner")


def joint_retaliation(calibration: Calibration, tariffs: np.ndarray, *, lower: float = 0.0, upper: float = 0.5,
                      start: np.ndarray | float | None = None,
                      options: SearchOptions | None = None) -> WeightedOptimum:
    """Tariffs on US goods, one per non-US country, that maximise the income-weighted mean welfare of the
    non-US countries, Σ Y_i Ŵ_i / Σ Y_i, with the US schedule of ``tariffs`` (N, N, 1) fixed (IO4's MPEC
    objective, §11.3; ``_maximise``), from ``start`` (default: B5's closed form)."""
    world = calibration.world
    home = world.country_index(HOME)
    responders = np.delete(np.arange(world.n_countries), home)
    weights = np.zeros(world.n_countries)
    weights[responders] = np.asarray(calibration.params.income)[responders]
    first = optimal_retaliation_tariff(calibration) if start is None else start
    return _maximise(calibration, tariffs, (np.full(responders.size, home), responders), weights / weights.sum(),
                     first, lower, upper, options, "joint optimal retaliation")


MPEC_UPPER = 0.25
"""IO2's upper bound on each US tariff (§11.3: UB = 0.25; IO4's is 0.5, ``joint_retaliation``'s default)."""


def mpec_us_rate(calibration: Calibration) -> float:
    """IO2's uniform US tariff (§11.3): the per-partner optimum of Ŵ_US in [0, 0.25] (the paper's MPEC, here
    ``us_optimum_by_partner`` from the MPEC's start 15%), and only its last element, the tariff on the last
    country (ZWE) [QUIRK §15.14]."""
    optimum = us_optimum_by_partner(calibration, upper=MPEC_UPPER, start=0.15)
    return float(optimum.chosen[-1])


# ------------------------------------------------------------------------------- formula against engine
def _row(experiment: str, source: str, equilibrium: Equilibrium, us_tariff: float,
         retaliation: np.ndarray | float | None = None) -> dict:
    """One line of ``comparison``: the US tariff (%; import-weighted mean when per partner), the US welfare
    change and the non-US spending-weighted mean welfare change (%, the paper's Ŵ; Tables 1-2's avgE), and
    the retaliation tariffs' mean, min and max (%) when there are any."""
    world, params = equilibrium.world, equilibrium.calibration.params
    us = world.country_index(HOME)
    welfare = 100 * (np.asarray(equilibrium.W_hat) - 1)
    spending = np.delete(np.asarray(params.expenditure), us)
    row = {"experiment": experiment, "source": source, "us_tariff_pct": 100 * float(us_tariff),
           "us_welfare_pct": float(welfare[us]),
           "non_us_welfare_pct": float(spending @ np.delete(welfare, us) / spending.sum())}
    if retaliation is not None:
        rates = 100 * np.atleast_1d(np.asarray(retaliation, dtype=float))
        row |= {"retaliation_mean_pct": float(rates.mean()), "retaliation_min_pct": float(rates.min()),
                "retaliation_max_pct": float(rates.max())}
    return row


def _us_mean_tariff(calibration: Calibration, cube: np.ndarray) -> float:
    """The US's tariffs in ``cube`` averaged with its baseline imports as weights (fraction)."""
    world = calibration.world
    us = world.country_index(HOME)
    imports = np.delete(world.trade[:, us, 0], us)
    return float(imports @ np.delete(cube[:, us, 0], us) / imports.sum())


def comparison(data, *, nash: bool = True, by_partner: bool = True) -> list[dict]:
    """The paper's closed forms (B4, B5, B6, B7 as ``spec_experiment`` solves them) against the engine's
    optima on the same one-sector model (income-tax relief), one ``_row`` each:

    - B4 against ``us_optimum`` (and ``us_optimum_by_partner`` with ``by_partner``);
    - B5 against ``joint_retaliation`` on USTR (and ``nash_retaliation`` with ``nash``: about a minute);
    - B6 (reciprocal retaliation: no optimum, the spec's alone);
    - B7 against the engine's US optimum followed by ``joint_retaliation`` against it.

    ``data``: ``read_ilms_data(folder)``."""
    from tariffsim.ilms_experiments import spec_experiment, us_tariffs

    spec = {name: spec_experiment(name, data) for name in ("B4", "B5", "B6", "B7")}
    calibration = spec["B4"].calibration
    solved = {name: e.model.solve(e.calibration, e.policy) for name, e in spec.items()}
    home = calibration.world.country_index(HOME)
    ustr = us_tariffs(calibration.world, data.announced)
    t_ret = optimal_retaliation_tariff(calibration)
    rows = [_row("B4", "formula", solved["B4"], optimal_tariff(calibration, "expenditure"))]
    optimum = us_optimum(calibration)
    rows.append(_row("B4", "engine: uniform optimum", optimum.equilibrium, float(optimum.tariffs[0])))
    if by_partner:
        partner = us_optimum_by_partner(calibration, start=float(optimum.tariffs[0]))
        rows.append(_row("B4", "engine: optimum per partner", partner.equilibrium,
                         _us_mean_tariff(calibration, partner.cube)))
    rows.append(_row("B5", "formula", solved["B5"], _us_mean_tariff(calibration, ustr), t_ret))
    joint = joint_retaliation(calibration, ustr)
    rows.append(_row("B5", "engine: joint optimum on US goods", joint.equilibrium, _us_mean_tariff(calibration, ustr),
                     joint.chosen))
    if nash:
        war = nash_retaliation(calibration, ustr).response
        rows.append(_row("B5", f"engine: Nash, uniform on all imports ({len(war.players)} responders)",
                         war.equilibrium, _us_mean_tariff(calibration, ustr), war.chosen))
    rows.append(_row("B6", "spec (reciprocal, no optimum)", solved["B6"], _us_mean_tariff(calibration, ustr),
                     np.delete(spec["B6"].policy.tariffs[home, :, 0], home)))
    rows.append(_row("B7", "formula", solved["B7"], optimal_tariff(calibration, "income"), t_ret))
    after = joint_retaliation(calibration, optimum.cube)
    rows.append(_row("B7", "engine: uniform optimum, then joint optimum on US goods", after.equilibrium,
                     float(optimum.tariffs[0]), after.chosen))
    return rows


def markdown(rows: list[dict]) -> str:
    """``comparison`` rows as a markdown table (percent, 3 decimals; empty where a row has no retaliation)."""
    columns = ["experiment", "source", "us_tariff_pct", "us_welfare_pct", "non_us_welfare_pct",
               "retaliation_mean_pct", "retaliation_min_pct", "retaliation_max_pct"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [row[c] if isinstance(row.get(c), str) else ("" if c not in row else f"{row[c]:.3f}") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
