"""A country's optimal (unilateral) tariffs given everyone else's (MODEL_OSSA2014.md §4.4).

Reduced-space optimisation: the equilibrium is solved inside the objective and the exact gradient
comes from the adjoint of the equilibrium conditions (games/_adjoint.py), so L-BFGS-B with box
bounds does the search. Every optimum is re-solved with the verified solver and reports its
first-order (KKT) residual: the largest projected gradient of log G_hat over the box.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from tariffsim._jax import jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError, OptionError
from tariffsim.games import _adjoint
from tariffsim.games._bounds import upper_bound_labels
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule, Policy

# Smallest gain in log G_hat (1e-9 = 0.0000001%) that justifies jumping to a prohibitive tariff: below
# it, a tariff on a negligible flow would wander to its bound on rounding noise.
PLATEAU_GAIN = 1e-9


@dataclass(frozen=True)
class SearchOptions:
    """Settings of the L-BFGS-B search.

    Attributes:
        max_iterations: cap on L-BFGS-B iterations.
        ftol, gtol: L-BFGS-B's relative objective-change and projected-gradient tolerances.
        memory: number of correction pairs kept (``maxcor``).
        kkt_tolerance: an optimum whose KKT residual exceeds this raises ConvergenceError.
    """

    max_iterations: int = 5000
    ftol: float = 1e-15
    gtol: float = 1e-9
    memory: int = 30
    kkt_tolerance: float = 1e-6


@dataclass(frozen=True, eq=False)
class OptimalTariffs:
    """The optimum of one country's tariff problem.

    Attributes:
        country: the code of the country choosing its tariffs.
        mfn: True if one tariff per sector applies to all partners.
        chosen: (K,) optimal tariffs (fractions) in the order of ``labels``.
        labels: (K,) ``(partner, sector)`` for each chosen tariff (partner ``"*"`` for MFN).
        tariffs: (N,N,S) the whole tariff cube at the optimum.
        equilibrium: the verified equilibrium at the optimum.
        government_welfare_hat: (N,) G_hat of every country (weights of the problem).
        kkt_residual: largest projected gradient of log G_hat_j over the bounds (0 at an exact optimum).
        iterations, solves: L-BFGS-B iterations and equilibrium solves (objective+gradient evaluations).
        seconds: wall time of the search.
        start_values: log G_hat_j reached from each start (the best is kept): a spread shows local optima.
    """

    country: str
    mfn: bool
    chosen: np.ndarray
    labels: tuple[tuple[str, str], ...]
    tariffs: np.ndarray
    equilibrium: Equilibrium
    government_welfare_hat: np.ndarray
    kkt_residual: float
    iterations: int
    solves: int
    seconds: float
    start_values: tuple[float, ...]
    lower: float
    upper: float

    def to_frame(self):
        """Countries in rows: government welfare and welfare changes (%), median tariff (%), who chose."""
        from tariffsim.games.tables import country_frame

        return country_frame(self.equilibrium, self.government_welfare_hat, self.tariffs, (self.country,))

    def tariff_frame(self):
        """The chosen country's tariffs at the optimum: exporter, importer, sector, tariff (fraction)."""
        from tariffsim.games.tables import tariff_frame

        return tariff_frame(self.equilibrium.world, self.tariffs, [self.country])

    def facts(self) -> dict:
        """Convergence facts: KKT residual, gain, iterations, solves, seconds, start values, residual,
        the upper bound and the tariffs that sit on it."""
        return {"kkt_residual": self.kkt_residual, "gain_pct": self.gain_pct, "iterations": self.iterations,
                "solves": self.solves, "seconds": self.seconds, "start_values": list(self.start_values),
                "equilibrium_residual": self.equilibrium.max_residual, "upper_bound": self.upper,
                "at_upper_bound": list(self.at_upper_bound)}

    @property
    def at_upper_bound(self) -> tuple[str, ...]:
        """``"partner sector"`` of each chosen tariff that sits on the upper bound: there the country
        would raise it further if it could (a prohibitive or unbounded optimum), so the number is the
        bound's, not the model's."""
        return upper_bound_labels(self.labels, self.chosen, self.upper)

    @property
    def upper_bound_cells(self) -> dict[str, tuple[str, ...]]:
        """``{country: at_upper_bound}`` when any tariff sits on the bound (as every game result has it)."""
        hits = self.at_upper_bound
        return {self.country: hits} if hits else {}

    @property
    def gain_pct(self) -> float:
        """The country's own government-welfare gain, percent."""
        j = self.equilibrium.world.country_index(self.country)
        return float(100 * (self.government_welfare_hat[j] - 1))


def control_for(calibration: Calibration, country: int, *, mfn: bool, partners: Sequence[int] | None,
                sectors: Sequence[int] | None) -> tuple[_adjoint.Control, list[tuple[int, int]]]:
    """The cells importer ``country`` controls, and one (partner or -1, sector) label per variable.

    Variables are sector-major with partners fastest (the paper's layout); with MFN one per sector.
    """
    world = calibration.world
    others = [i for i in range(world.n_countries) if i != country]
    if partners is not None:
        if mfn:
            raise OptionError("an MFN tariff applies to every partner: drop the partner restriction or mfn")
        if country in partners:
            raise OptionError(f"{world.countries[country]} cannot set tariffs on its own goods")
        others = [i for i in others if i in set(partners)]
    chosen_sectors = list(range(world.n_sectors)) if sectors is None else list(sectors)
    exporter, sector, variable, labels = [], [], [], []
    for s in chosen_sectors:
        if mfn:
            labels.append((-1, s))
        for i in others:
            if not mfn:
                labels.append((i, s))
            exporter.append(i)
            sector.append(s)
            variable.append(len(labels) - 1)
    control = _adjoint.Control(jnp.asarray(exporter), jnp.full(len(exporter), country), jnp.asarray(sector),
                               jnp.asarray(variable))
    return control, labels


def optimal_tariffs(
    calibration: Calibration,
    country: str,
    *,
    tariffs: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    mfn: bool = False,
    lower: float = 0.0,
    upper: float = 10.0,
    partners: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    start: np.ndarray | float | None = None,
    starts: int = 1,
    seed: int = 0,
    net_exports: NetExportsRule = "fixed",
    options: SearchOptions | None = None,
) -> OptimalTariffs:
    """Tariffs that maximise ``country``'s government welfare, all other tariffs fixed.

    Args:
        calibration: a calibrated world (``Krugman().calibrate(world)``); its model (``calibration.model``,
            with its solver settings) solves every equilibrium, and must give gradients.
        country: the country setting tariffs (code or name).
        tariffs: (N,N,S) everyone's tariffs outside the choice (default: the world's).
        weights: (N,S) political-economy weights lambda (default: ones, i.e. welfare).
        mfn: one tariff per sector for all partners instead of one per partner and sector.
        lower, upper: bounds on every chosen tariff (fractions; 10 = 1000%). ``upper`` may be an
            (S,) array of sector-specific caps for MFN problems.
        partners, sectors: restrict the choice (e.g. only tariffs on ``["USA"]``); others stay fixed.
        start: starting tariffs (scalar or (K,)). Default for MFN: 1/(sigma_s - 1) with unit weights,
            else 0.1 (Ossa's choices); for discriminatory tariffs: the MFN optimum for the same sectors,
            replicated across partners (the sequence the paper recommends; much faster).
        starts: number of starts; starts beyond the first are random in [lower, min(upper, 1)].
        net_exports: ``"fixed"`` (default) or ``"zero"`` (as in Ossa 2014 on purged data).
    Raises:
        ConvergenceError: an equilibrium inside the search failed, or the KKT residual of the best
            optimum exceeds ``options.kkt_tolerance``.
    """
    options = options or SearchOptions()
    world = calibration.world
    j = world.country_index(country)
    fixed = world.tariffs if tariffs is None else np.asarray(tariffs, dtype=float)
    weights = np.ones((world.n_countries, world.n_sectors)) if weights is None else np.asarray(weights, float)
    partner_idx = None if partners is None else world.country_indices(partners)
    sector_idx = None if sectors is None else world.sector_indices(sectors)
    control, labels = control_for(calibration, j, mfn=mfn, partners=partner_idx, sectors=sector_idx)
    k = len(labels)
    label_sectors = np.array([s for _, s in labels])
    lower_bounds = np.broadcast_to(np.asarray(lower, float), (k,)) if np.ndim(lower) == 0 else np.asarray(lower, float)[label_sectors]
    upper_bounds = np.broadcast_to(np.asarray(upper, float), (k,)) if np.ndim(upper) == 0 else np.asarray(upper, float)[label_sectors]
    if start is None and not mfn and partners is None:
        mfn_optimum = optimal_tariffs(calibration, country, tariffs=fixed, weights=weights, mfn=True, lower=lower,
                                      upper=upper, sectors=sectors, net_exports=net_exports, options=options)
        start = mfn_optimum.chosen[np.searchsorted(np.unique(label_sectors), label_sectors)]
    if start is None:
        start = 1.0 / (world.sigma[label_sectors] - 1) if np.all(weights == weights.flat[0]) else 0.1
    first = np.broadcast_to(np.asarray(start, float), (k,))
    rng = np.random.default_rng(seed)
    candidates = [np.clip(first, lower_bounds, upper_bounds)]
    candidates += [rng.uniform(lower_bounds, np.minimum(upper_bounds, 1.0)) for _ in range(starts - 1)]

    game = _adjoint.problem(calibration, fixed, net_exports, "optimal tariffs")
    args = dict(**game.kwargs, control=control, weights=jnp.asarray(weights),
                country_weights=jnp.asarray(np.eye(world.n_countries)[j]))
    clock = time.perf_counter()
    runs = [_search_with_prohibitive_scan(x0, lower_bounds, upper_bounds, args, options, world.countries[j],
                                          game.start) for x0 in candidates]
    seconds = time.perf_counter() - clock
    best = max(runs, key=lambda run: run[1])
    x, value, gradient, iterations, solves = best
    kkt = float(np.max(np.abs(np.clip(x + gradient, lower_bounds, upper_bounds) - x))) if k else 0.0
    cube = np.asarray(_adjoint.tariff_cube(jnp.asarray(x), game.fixed, control))
    policy = Policy(cube, net_exports, name=f"{world.countries[j]} optimal {'MFN ' if mfn else ''}tariffs")
    equilibrium = calibration.model.solve(calibration, policy)
    if not kkt <= options.kkt_tolerance:
        raise ConvergenceError(
            f"optimal tariffs of {world.countries[j]}: first-order (KKT) residual {kkt:.2e} > "
            f"{options.kkt_tolerance:g} after {iterations} iterations. Try more starts, a tighter upper bound, "
            "or SearchOptions(max_iterations=...)."
        )
    return OptimalTariffs(
        country=world.countries[j], mfn=mfn, chosen=x,
        labels=tuple(("*" if i < 0 else world.countries[i], world.sectors[s]) for i, s in labels),
        tariffs=cube, equilibrium=equilibrium,
        government_welfare_hat=equilibrium.government_welfare_hat(weights),
        kkt_residual=kkt, iterations=sum(r[3] for r in runs), solves=sum(r[4] for r in runs), seconds=seconds,
        start_values=tuple(float(r[1]) for r in runs), lower=float(np.min(lower_bounds)),
        upper=float(np.max(upper_bounds)),
    )


def _search_with_prohibitive_scan(x0, lower, upper, args, options: SearchOptions, country: str, u_start):
    """L-BFGS-B, then escape plateaus of prohibitive tariffs that gradients cannot cross.

    Once a tariff chokes imports, welfare is flat in it, and between a moderate local optimum and
    that plateau lies a valley: a gradient search started low never gets there (Japan's rice under
    political-economy weights is the case in Ossa 2014). After each search, every chosen tariff is
    tried at its upper bound (one equilibrium each); if any is better, all improving ones are raised
    and the search restarts there. Stops when no upper-bound move improves by more than PLATEAU_GAIN.
    """
    best = bounded_search(x0, lower, upper, args, options, country, u_start)
    solves = best[4]
    while True:
        x = best[0]
        improving = []
        for k in np.nonzero(x < upper)[0]:
            trial = x.copy()
            trial[k] = upper[k]
            value = float(_adjoint.weighted_log_welfare(jnp.asarray(trial), u_start, **args)[0])
            if value > best[1] + PLATEAU_GAIN:
                improving.append(k)
        solves += int(np.sum(x < upper))
        if not improving:
            return best[0], best[1], best[2], best[3], solves
        start = x.copy()
        start[improving] = upper[improving]
        candidate = bounded_search(start, lower, upper, args, options, country, u_start)
        solves += candidate[4]
        if candidate[1] <= best[1] + PLATEAU_GAIN:
            return best[0], best[1], best[2], best[3], solves
        best = candidate


def bounded_search(x0, lower, upper, args, options: SearchOptions, country: str, u_start):
    """One L-BFGS-B run from ``x0``: (x, log G_hat_j, gradient, iterations, solves).

    Every equilibrium inside must meet the model's own tolerance (``args["config"].tol``)."""
    state = {"u": u_start, "solves": 0}
    tolerance = args["config"].tol

    def negative(x):
        value, gradient, _, u, residual = _adjoint.weighted_log_welfare(jnp.asarray(x), state["u"], **args)
        state["solves"] += 1
        if not float(residual) <= tolerance:
            # A failed warm start is retried from the baseline before giving up.
            value, gradient, _, u, residual = _adjoint.weighted_log_welfare(jnp.asarray(x), u_start, **args)
            if not float(residual) <= tolerance:
                raise ConvergenceError(
                    f"equilibrium inside the optimal-tariff search of {country} failed (residual "
                    f"{float(residual):.2e}) at tariffs between {np.min(x):.3g} and {np.max(x):.3g}; "
                    "try a lower upper bound")
        state["u"] = u
        return -float(value), -np.asarray(gradient)

    result = scipy.optimize.minimize(
        negative, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)),
        options={"maxiter": options.max_iterations, "ftol": options.ftol, "gtol": options.gtol,
                 "maxcor": options.memory, "maxfun": 20 * options.max_iterations},
    )
    value, gradient = negative(result.x)
    return result.x, -value, -gradient, int(result.nit), state["solves"]
