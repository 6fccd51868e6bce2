"""The Ossa (2014) replication pipeline, one function per stage (MODEL_OSSA2014.md §4).

For each sigma version (``main``, ``low``, ``med``, ``high``, ``novar``):

1. ``purged_world``: read the raw folder, purge trade imbalances (§4.1);
2. ``targets_stage``: noncooperative tariff targets, missing ones filled from the purged data (§4.2);
3. ``weights_stage``: political-economy weights lambda, calibrated (§4.3; computed, never looked up):
   by default as the paper computes them (``"paper"``: its sign-step heuristic, quirks included,
   ``tariffsim.games.paper_weights``), or by solving the calibration criterion exactly (``"exact"``:
   ``tariffsim.games.weights.calibrate_weights``); ``WEIGHTS_METHODS`` maps the names to the calls;
4. ``optimal_stage``: every country's optimal tariffs against factual ones, MFN then discriminatory (§4.4);
5. ``nash_stage``: tariff wars, MFN (from the MFN optima) then discriminatory (from the MFN Nash) (§4.5);
6. ``talks_stage``: restricted trade talks, MFN and discriminatory, from the Nash, factual and free-trade
   baselines (rebased); with unit weights also the unrestricted ones, which start the restricted (§4.6).

Stages 4-6 run for both panels: ``"a"`` (BAS, lambda = 1) and ``"b"`` (POL, calibrated lambda).
Each stage returns arrays and its solver facts (``.facts()``, JSON-ready: KKT residuals, equal-gain
residuals, Nash paths, equilibrium solves, seconds). Independent pieces (versions, countries within a
stage, talks baselines) are plain calls through ``map_`` (builtin ``map`` by default), so a parallel
map can replace it. Solver failures raise ConvergenceError naming the version and stage.

Tariffs are fractions (0.25 = 25%); cubes are (N,N,S) [exporter, importer, sector].
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tariffsim.errors import ConvergenceError, DataValidationError, OptionError
from tariffsim.games import UNRESTRICTED_LOWER, cooperative_tariffs, nash_tariffs, optimal_tariffs, rebase
from tariffsim.games.nash import Round
from tariffsim.io import read_ossa
from tariffsim.io.ossa import SIGMA_VERSIONS
from tariffsim.models import Calibration, Krugman
from tariffsim.purge import purge_equilibrium
from tariffsim.replication.ossa2014 import TALKS_BASELINES, target_tariffs
from tariffsim.world import World

VERSIONS = tuple(SIGMA_VERSIONS)  # main, low, med, high, novar
TABLES = (1, 2, 3, 4, 5, 8, 9, 10)
PANELS = ("a", "b")  # a: BAS (lambda = 1), b: POL (calibrated lambda)
NET_EXPORTS = "zero"  # every experiment on purged data imposes NX' = 0
# Relative cost of each piece (about its seconds on the main version), so progress bars show a fair ETA.
COST = {"purge": 1.0, "weights": 10.0, "optimal": 1.0, "optimal_mfn": 1.0, "nash": 70.0, "nash_mfn": 10.0,
        "talks": 200.0, "talks_mfn": 60.0}

# A progress report: (version, what just finished, its cost in COST units).
Report = Callable[[str, str, float], None]
# A weights calibration: (calibration, targets (N,S), countries to calibrate) -> object with .weights (N,S)
# (rows of the countries calibrated) and .fits (fit records, one per country).
Calibrate = Callable[[Calibration, np.ndarray, Sequence[str]], object]


def _quiet(version: str, done: str, cost: float) -> None:
    """The default report: nothing."""


def read_noncooperative(folder: str | Path, world: World) -> np.ndarray:
    """(S,N) noncooperative tariff measures of ``tariff_noncoop.csv`` (industries x importers, fractions)."""
    path = Path(folder) / "tariff_noncoop.csv"
    if not path.is_file():
        raise DataValidationError(f"{path} is missing: the replication needs the noncooperative tariff targets "
                                  "(33 rows of industries x 7 importers, no header) beside trade_ijs.csv")
    values = np.loadtxt(path, delimiter=",", ndmin=2)
    if values.shape != (world.n_sectors, world.n_countries) or not np.all(np.isfinite(values) & (values >= 0)):
        raise DataValidationError(f"{path}: expected {world.n_sectors} x {world.n_countries} non-negative tariffs "
                                  f"(industries x importers), got {values.shape}")
    return values


def purged_world(folder: str | Path, version: str) -> tuple[World, float]:
    """The world of ``version`` with trade imbalances purged (§4.1), and the purge's largest residual."""
    raw = read_ossa(folder, version)
    equilibrium = purge_equilibrium(raw)
    return raw.replace(trade=equilibrium.trade, label=f"{raw.label} (purged)"), equilibrium.max_residual


def targets_stage(folder: str | Path, purged: World) -> np.ndarray:
    """(S,N) targets: ``tariff_noncoop.csv``, all-zero importers filled from the purged flows (§4.2)."""
    return target_tariffs(purged, read_noncooperative(folder, purged))


# --------------------------------------------------------------------------------- weights (§4.3)
@dataclass(frozen=True, eq=False)
class Weights:
    """Calibrated lambda (N,S), mean 1 per country, with each country's fit facts."""

    weights: np.ndarray
    fits: tuple[dict, ...]
    seconds: float

    def facts(self) -> dict:
        return {"seconds": self.seconds, "fits": list(self.fits)}


def calibrate_lambda(calibration: Calibration, targets: np.ndarray, countries: Sequence[str]) -> object:
    """The exact calibration (``"exact"``): ``tariffsim.games.weights.calibrate_weights`` (targets (N,S)),
    weights under which the MFN optimal tariffs follow the targets' pattern as closely as the criterion
    of §4.3 allows."""
    from tariffsim.games.weights import calibrate_weights

    return calibrate_weights(calibration, targets, countries=countries)


def calibrate_paper(calibration: Calibration, targets: np.ndarray, countries: Sequence[str]) -> object:
    """The paper's calibration (``"paper"``, the default): ``tariffsim.games.paper_weights.paper_weights``
    (targets (N,S)), Ossa's sign-step heuristic of §4.3 with its quirks, the weights behind the
    published panels b and c."""
    from tariffsim.games.paper_weights import paper_weights

    return paper_weights(calibration, targets, countries=countries, net_exports=NET_EXPORTS)


# How lambda is calibrated: name -> Calibrate. "paper" gives the weights behind the published tables.
WEIGHTS_METHODS: dict[str, Calibrate] = {"paper": calibrate_paper, "exact": calibrate_lambda}
DEFAULT_WEIGHTS = "paper"
WEIGHTS_COST = {"paper": 50.0, "exact": COST["weights"]}  # COST units per country (about 6 min for 7 on main)


def weights_method(calibrate: str | Calibrate) -> tuple[str, Calibrate]:
    """(name, Calibrate) of ``calibrate``: a name of ``WEIGHTS_METHODS`` (``paper`` or ``exact``), or a
    callable (named ``"custom"``). OptionError for an unknown name."""
    if callable(calibrate):
        return "custom", calibrate
    key = str(calibrate).strip().lower()
    if key not in WEIGHTS_METHODS:
        raise OptionError(f"unknown weights calibration {calibrate!r}: choose 'paper' (the paper's heuristic, "
                          "as published) or 'exact' (the calibration criterion solved exactly)")
    return key, WEIGHTS_METHODS[key]


def weights_stage(calibration: Calibration, targets: np.ndarray, *, calibrate: str | Calibrate = DEFAULT_WEIGHTS,
                  map_: Callable = map, report: Callable[[str], None] | None = None) -> Weights:
    """lambda (N,S) for the purged ``calibration`` so MFN optimal tariffs follow ``targets`` (S,N).

    ``calibrate``: ``"paper"`` (default), ``"exact"`` or a callable. Countries are calibrated
    independently (one ``calibrate`` call each, through ``map_``); ``calibrate`` receives targets as
    (N,S) and the country, and returns an object with ``.weights`` (N,S) and ``.fits`` (fit records;
    their scalar fields go to run.json).
    """
    _, calibrate = weights_method(calibrate)
    clock = time.perf_counter()
    world = calibration.world
    targets_ns = np.asarray(targets, float).T

    def one(j: int) -> tuple[np.ndarray, list[dict]]:
        result = calibrate(calibration, targets_ns, [world.countries[j]])
        if report:
            report(f"weights of {world.countries[j]}")
        return np.asarray(result.weights)[j], [_scalars(fit) for fit in getattr(result, "fits", ())]

    rows = list(map_(one, range(world.n_countries)))
    weights = np.array([row for row, _ in rows])
    if not (np.all(weights >= 0) and np.allclose(weights.mean(axis=1), 1.0, atol=1e-9)):
        raise ConvergenceError(f"calibrated weights are not non-negative with mean 1 per country (means "
                               f"{np.round(weights.mean(axis=1), 6).tolist()}); check the calibration")
    return Weights(weights, tuple(fit for _, fits in rows for fit in fits), time.perf_counter() - clock)


def _scalars(record: object) -> dict:
    """The scalar (str, int, float) fields of a dataclass record, for run.json."""
    if not dataclasses.is_dataclass(record):
        return {}
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return {k: (float(v) if isinstance(v, np.floating) else v) for k, v in values.items()
            if isinstance(v, str | int | float | np.floating)}


# Code that computes the weights: a cached lambda is reused only while it is unchanged.
WEIGHTS_SOURCES = ("games", "models", "solve.py", "equilibrium.py", "policy.py", "welfare.py", "world.py",
                   "purge.py", "_jax.py", "io", "replication")


def ossa2014_weights(data: str | Path, world: World, method: str = DEFAULT_WEIGHTS, *, cache=None,
                     announce: Callable[[str], None] | None = None) -> np.ndarray:
    """(N,S) lambda of the paper for the game commands' ``--weights paper`` (or ``exact``).

    Computed as the replication computes them: the Ossa folder ``data`` (a path or a name under
    TARIFFSIM_DATA; it must hold ``tariff_noncoop.csv``) at ``world``'s sigma version (``world.elasticity``:
    main, low, med, high or novar), purged (§4.1), with the paper's targets (§4.2), calibrated by
    ``method`` (§4.3). The weights belong to the purged data whether or not the game's ``world`` is
    purged: they are the same (N,S) array for its countries and sectors.

    Args:
        cache: a ``tariffsim.cache.Cache`` that keeps the result (the paper's heuristic takes minutes),
            keyed by the purged data, the targets, the method and the code computing them; None: compute.
        announce: called with a line saying what is computed (or reused) and why it takes long.
    Raises:
        OptionError: an unknown method, a folder without targets, or a ``world`` of other countries or sectors.
    """
    from tariffsim.datasets import dataset_path

    method, calibrate = weights_method(method)
    if method == "custom":
        raise OptionError("ossa2014_weights computes the paper's weights: give method 'paper' or 'exact'")
    try:
        folder = dataset_path(data)
    except DataValidationError:
        folder = None
    if folder is None or not (folder / "tariff_noncoop.csv").is_file():
        raise OptionError(f"--weights {method} calibrates the weights of Ossa (2014) from its noncooperative "
                          f"tariff targets, and {folder or repr(str(data))} has no tariff_noncoop.csv: use --data "
                          "ossa2014 (or an Ossa-style folder with that file), or give the weights as a CSV/Parquet "
                          "file")
    version = world.elasticity if world.elasticity in SIGMA_VERSIONS else "main"
    purged, _ = purged_world(folder, version)
    if tuple(purged.countries) != tuple(world.countries) or tuple(purged.sectors) != tuple(world.sectors):
        raise OptionError(f"--weights {method}: the weights of {folder} are for its {purged.n_countries} regions "
                          f"and {purged.n_sectors} sectors, not the {world.n_countries} x {world.n_sectors} of "
                          "this game's world (aggregated or selected?); play on the whole Ossa world")
    targets = targets_stage(folder, purged)
    key = None
    if cache is not None:
        from tariffsim.cache import fingerprint, source_digest

        key = fingerprint("ossa2014 political-economy weights", method, source_digest(WEIGHTS_SOURCES), purged,
                          targets)
        entry = cache.get(key)
        if entry is not None:
            if announce:
                announce(f"political-economy weights ({method}, sigma version {version}) reused from {cache.folder}")
            return entry.arrays["weights"]
    if announce:
        how = "the paper's heuristic, up to 250 MFN optima per country" if method == "paper" else "exact calibration"
        announce(f"calibrating the political-economy weights of Ossa (2014) ({how}; sigma version {version}): "
                 "a few minutes, once" + (f"; kept in {cache.folder}" if cache is not None else ""))
    result = weights_stage(Krugman().calibrate(purged), targets, calibrate=calibrate)
    if cache is not None:
        cache.put(key, {"weights": result.weights}, {"what": "ossa2014 political-economy weights", "method": method,
                                                     "version": version, "seconds": result.seconds})
    return result.weights


# ------------------------------------------------------------------------------- optimal (§4.4)
@dataclass(frozen=True, eq=False)
class Optima:
    """Every country's optimal tariffs with all others at the baseline's tariffs.

    Attributes:
        cubes: (N,N,N,S): ``cubes[k]`` is the baseline cube with importer k's column at k's optimum.
        kkt_residuals, solves, seconds: (N,) per country: first-order residual, equilibrium solves, wall time.
    """

    mfn: bool
    cubes: np.ndarray
    kkt_residuals: np.ndarray
    solves: np.ndarray
    seconds: np.ndarray

    def responses(self) -> np.ndarray:
        """(N,N,S): each importer's column at its own optimum (the MFN Nash start, §4.5)."""
        cube = self.cubes[0].copy()
        for k in range(cube.shape[0]):
            cube[:, k, :] = self.cubes[k][:, k, :]
        return cube

    def facts(self) -> dict:
        return {"mfn": self.mfn, "max_kkt_residual": float(self.kkt_residuals.max()),
                "kkt_residuals": self.kkt_residuals.tolist(), "solves": self.solves.tolist(),
                "seconds": self.seconds.tolist()}


def optimal_stage(calibration: Calibration, weights: np.ndarray | None = None, *, mfn: bool,
                  start: Optima | None = None, map_: Callable = map,
                  report: Callable[[str], None] | None = None) -> Optima:
    """Each country's optimal tariffs (LB 0, UB 10) against the calibration's tariffs.

    Args:
        weights: (N,S) lambda (None: ones). start: MFN optima whose tariffs, replicated across partners,
            start the discriminatory problems (the paper's sequence); None: the games' defaults.
    """
    world = calibration.world

    def one(j: int):
        others = [i for i in range(world.n_countries) if i != j]
        first = None if start is None else start.cubes[j][others, j, :].T.ravel()  # sector-major, partners fastest
        result = optimal_tariffs(calibration, world.countries[j], weights=weights, mfn=mfn, start=first,
                                 net_exports=NET_EXPORTS)
        if report:
            report(f"{'MFN ' if mfn else ''}optimal tariffs of {world.countries[j]}")
        return result

    results = list(map_(one, range(world.n_countries)))
    return Optima(mfn, np.array([r.tariffs for r in results]), np.array([r.kkt_residual for r in results]),
                  np.array([r.solves for r in results]), np.array([r.seconds for r in results]))


# ---------------------------------------------------------------------------------- Nash (§4.5)
@dataclass(frozen=True, eq=False)
class War:
    """A Nash tariff cube (N,N,S) with its convergence path and solver facts."""

    mfn: bool
    tariffs: np.ndarray
    rounds: tuple[Round, ...]
    max_gain: float
    kkt_residual: float
    solves: int
    seconds: float

    def facts(self) -> dict:
        return {"mfn": self.mfn, "max_gain": self.max_gain, "kkt_residual": self.kkt_residual,
                "solves": self.solves, "seconds": self.seconds,
                "rounds": [dataclasses.asdict(r) for r in self.rounds]}


def nash_stage(calibration: Calibration, start: np.ndarray, weights: np.ndarray | None = None, *, mfn: bool,
               map_: Callable = map, on_round: Callable[[Round], None] | None = None) -> War:
    """Jacobi best-response iteration from ``start`` (N,N,S) to the Nash tariffs (LB 0, UB 10).

    Converged when no tariff moves by more than 0.01 points and no government can gain more than 1e-7 in
    log G_hat by re-optimising (the games' defaults); the players' best responses go through ``map_``.
    """
    war = nash_tariffs(calibration, tariffs=start, weights=weights, mfn=mfn, net_exports=NET_EXPORTS,
                       map_=map_, on_round=on_round)
    return War(mfn, war.tariffs, war.rounds, war.max_gain, war.kkt_residual, war.solves, war.seconds)


# --------------------------------------------------------------------------------- talks (§4.6)
@dataclass(frozen=True, eq=False)
class Talks:
    """Cooperative tariffs (N,N,S) reached from one baseline, with equal-gain and KKT residuals.

    ``start`` says where the search started: ``"chain"`` (the start ``talks_chain`` gives) or, when that
    search failed, ``"default after: <why>"`` (the games' default start, tried second).
    """

    baseline: str
    mfn: bool
    restricted: bool
    start: str
    tariffs: np.ndarray
    common_gain_pct: float
    equal_gain_residual: float
    kkt_residual: float
    solves: int
    seconds: float

    def facts(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "tariffs"}


def talks_chain(world: World, baseline: str, weights: np.ndarray | None = None, *, unrestricted: bool,
                report: Callable[[str, str], None] | None = None) -> dict[str, Talks]:
    """Talks from the baseline ``world`` (the purged world rebased at the baseline tariffs).

    With ``unrestricted`` (BAS): unrestricted MFN (default start) -> unrestricted discriminatory (from it)
    -> restricted MFN and discriminatory, each from its unrestricted solution clipped at 0. Otherwise
    (POL): restricted MFN and discriminatory, both from the baseline tariffs. A search that fails from
    these starts is retried once from the games' default start (recorded in ``Talks.start``).
    Returns {"mfn", "discriminatory"[, "unrestricted_mfn", "unrestricted"]: Talks}.
    """
    calibration = Krugman().calibrate(world)
    done: dict[str, Talks] = {}

    def talk(key: str, *, mfn: bool, lower: float, start: np.ndarray | None) -> np.ndarray:
        run = dict(weights=weights, mfn=mfn, lower=lower, net_exports=NET_EXPORTS)
        origin = "chain"
        where = f"{key.replace('_', ' ')} talks from the {baseline} baseline"
        try:
            result = cooperative_tariffs(calibration, start=start, **run)
        except ConvergenceError as error:
            if start is None:
                raise ConvergenceError(f"{where}: {error}") from error
            origin = f"default after: {error}"
            try:
                result = cooperative_tariffs(calibration, start=None, **run)
            except ConvergenceError as second:
                raise ConvergenceError(f"{where}, from the chain's start: {error} From the default start: "
                                       f"{second}") from second
        done[key] = Talks(baseline, mfn, lower >= 0, origin, result.tariffs, result.common_gain_pct,
                          result.equal_gain_residual, result.kkt_residual, result.solves, result.seconds)
        if report:
            report(where, "talks_mfn" if mfn else "talks")
        return result.tariffs

    if unrestricted:
        loose_mfn = talk("unrestricted_mfn", mfn=True, lower=UNRESTRICTED_LOWER, start=None)
        loose = talk("unrestricted", mfn=False, lower=UNRESTRICTED_LOWER, start=loose_mfn)
        talk("mfn", mfn=True, lower=0.0, start=np.clip(loose_mfn, 0.0, None))
        talk("discriminatory", mfn=False, lower=0.0, start=np.clip(loose, 0.0, None))
    else:
        talk("mfn", mfn=True, lower=0.0, start=world.tariffs)
        talk("discriminatory", mfn=False, lower=0.0, start=world.tariffs)
    return done


def baseline_worlds(purged: World, nash: np.ndarray) -> dict[str, World]:
    """The talks' baselines (``TALKS_BASELINES`` order): purged world rebased at the Nash cube, itself, free trade."""
    worlds = (rebase(purged, nash, net_exports=NET_EXPORTS), purged,
              rebase(purged, np.zeros_like(purged.tariffs), net_exports=NET_EXPORTS))
    return dict(zip(TALKS_BASELINES, worlds, strict=True))


def talks_stage(baselines: dict[str, World], weights: np.ndarray | None = None, *, unrestricted: bool,
                map_: Callable = map, report: Callable[[str, str], None] | None = None) -> dict[str, dict[str, Talks]]:
    """``talks_chain`` from every baseline world, through ``map_``: {baseline: {kind: Talks}}."""
    names = list(baselines)
    chains = map_(lambda name: talks_chain(baselines[name], name, weights, unrestricted=unrestricted, report=report),
                  names)
    return dict(zip(names, chains))


# ------------------------------------------------------------------------------ one version
def stages_for(tables: Iterable[int]) -> set[str]:
    """Stages the tables need: weights (1 and panels b), optimal (3, 8 and wars), nash (4, 9, talks), talks (5, 10)."""
    tables = set(tables)
    unknown = tables - set(TABLES)
    if unknown:
        raise OptionError(f"unknown table(s) {sorted(unknown)}: choose among {', '.join(map(str, TABLES))}")
    stages = set()
    if tables - {2}:
        stages.add("weights")
    if tables & {3, 4, 5, 8, 9, 10}:
        stages.add("optimal")
    if tables & {4, 5, 9, 10}:
        stages.add("nash")
    if tables & {5, 10}:
        stages.add("talks")
    return stages


def planned_cost(tables: Iterable[int], n_countries: int = 7, weights: str = DEFAULT_WEIGHTS) -> float:
    """Total COST units of one version's run for ``tables`` (the progress bar's total) with the
    ``weights`` calibration (a name of ``WEIGHTS_METHODS``)."""
    stages = stages_for(tables)
    total = COST["purge"]
    total += n_countries * WEIGHTS_COST.get(weights, COST["weights"]) if "weights" in stages else 0.0
    total += len(PANELS) * n_countries * (COST["optimal"] + COST["optimal_mfn"]) if "optimal" in stages else 0.0
    total += len(PANELS) * (COST["nash"] + COST["nash_mfn"]) if "nash" in stages else 0.0
    # a: 3 baselines x 4 talks (2 MFN), b: 3 x 2 (1 MFN)
    total += 3 * 3 * (COST["talks"] + COST["talks_mfn"]) if "talks" in stages else 0.0
    return total


@dataclass(eq=False)
class VersionRun:
    """Everything one sigma version's pipeline computed; panel keys "a" (BAS) and "b" (POL).

    Attributes:
        world: purged world (7 x 33). targets: (S,N). weights: calibrated lambda (None if not needed).
        weights_method: how lambda was calibrated: ``"paper"``, ``"exact"`` or ``"custom"``.
        optimal: {panel: {"mfn"|"discriminatory": Optima}}. nash: {panel: {"mfn"|"discriminatory": War}}.
        baselines: {panel: {baseline: World}}. talks: {panel: {baseline: {kind: Talks}}}.
        seconds: wall time per stage ("purge_and_targets", "weights", "optimal_a", ..., "talks_b", "total").
        ``facts()`` gives every stage's solver facts for run.json.
    """

    version: str
    world: World
    purge_residual: float
    targets: np.ndarray
    weights: Weights | None = None
    weights_method: str = DEFAULT_WEIGHTS
    optimal: dict = field(default_factory=dict)
    nash: dict = field(default_factory=dict)
    baselines: dict = field(default_factory=dict)
    talks: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def panel_weights(self, panel: str) -> np.ndarray | None:
        """(N,S) lambda of ``panel``: None (ones) for "a", the calibrated weights for "b"."""
        if panel == "a":
            return None
        if self.weights is None:
            raise OptionError(f"version {self.version}: panel b needs the calibrated weights, which were not computed")
        return self.weights.weights

    def facts(self) -> dict:
        """Solver facts of every stage, JSON-ready."""
        return {
            "seconds": self.seconds, "purge_residual": self.purge_residual, "weights_method": self.weights_method,
            "weights": None if self.weights is None else self.weights.facts(),
            "optimal": {p: {k: o.facts() for k, o in v.items()} for p, v in self.optimal.items()},
            "nash": {p: {k: w.facts() for k, w in v.items()} for p, v in self.nash.items()},
            "talks": {p: {b: {k: t.facts() for k, t in kinds.items()} for b, kinds in v.items()}
                      for p, v in self.talks.items()},
        }


def run_version(folder: str | Path, version: str, *, tables: Iterable[int] = TABLES,
                calibrate: str | Calibrate = DEFAULT_WEIGHTS, map_: Callable = map,
                report: Report = _quiet) -> VersionRun:
    """The whole pipeline of one sigma version for the stages ``tables`` need (see ``stages_for``).

    ``calibrate`` computes lambda: ``"paper"`` (default, the paper's heuristic), ``"exact"`` (the
    criterion solved exactly) or a ``Calibrate`` callable (``WEIGHTS_METHODS``).
    """
    stages = stages_for(tables)
    method, calibrate = weights_method(calibrate)
    weights_cost = WEIGHTS_COST.get(method, COST["weights"])
    clock = time.perf_counter()
    world, residual = purged_world(folder, version)
    calibration = Krugman().calibrate(world)
    report(version, "purge", COST["purge"])
    run = VersionRun(version, world, residual, targets_stage(folder, world), weights_method=method)
    run.seconds["purge_and_targets"] = time.perf_counter() - clock

    def timed(stage: str, compute: Callable[[], object]):
        start = time.perf_counter()
        try:
            result = compute()
        except ConvergenceError as error:
            raise ConvergenceError(f"version {version}, stage {stage}: {error}") from error
        run.seconds[stage] = time.perf_counter() - start
        return result

    if "weights" in stages:
        run.weights = timed("weights", lambda: weights_stage(
            calibration, run.targets, calibrate=calibrate, map_=map_,
            report=lambda what: report(version, what, weights_cost)))
    for panel in PANELS if "optimal" in stages else ():
        weights = run.panel_weights(panel)

        def optima(weights=weights):
            first = optimal_stage(calibration, weights, mfn=True, map_=map_,
                                  report=lambda what: report(version, what, COST["optimal_mfn"]))
            return {"mfn": first, "discriminatory": optimal_stage(
                calibration, weights, mfn=False, start=first, map_=map_,
                report=lambda what: report(version, what, COST["optimal"]))}

        run.optimal[panel] = timed(f"optimal_{panel}", optima)
    for panel in PANELS if "nash" in stages else ():
        weights = run.panel_weights(panel)

        def wars(weights=weights, panel=panel):
            mfn = nash_stage(calibration, run.optimal[panel]["mfn"].responses(), weights, mfn=True, map_=map_)
            report(version, f"MFN Nash tariffs ({'BAS' if panel == 'a' else 'POL'})", COST["nash_mfn"])
            war = nash_stage(calibration, mfn.tariffs, weights, mfn=False, map_=map_)
            report(version, f"Nash tariffs ({'BAS' if panel == 'a' else 'POL'})", COST["nash"])
            return {"mfn": mfn, "discriminatory": war}

        run.nash[panel] = timed(f"nash_{panel}", wars)
    for panel in PANELS if "talks" in stages else ():
        weights = run.panel_weights(panel)

        def talks(weights=weights, panel=panel):
            run.baselines[panel] = baseline_worlds(world, run.nash[panel]["discriminatory"].tariffs)
            return talks_stage(run.baselines[panel], weights, unrestricted=panel == "a", map_=map_,
                               report=lambda what, kind: report(version, what, COST[kind]))

        run.talks[panel] = timed(f"talks_{panel}", talks)
    run.seconds["total"] = time.perf_counter() - clock
    return run


def replicate(folder: str | Path, versions: Sequence[str] = VERSIONS, *, tables: Iterable[int] = TABLES,
              calibrate: str | Calibrate = DEFAULT_WEIGHTS, map_: Callable = map,
              versions_map: Callable | None = None, report: Report = _quiet) -> list[VersionRun]:
    """``run_version`` for every version, in the order given, with lambda from ``calibrate`` (see there).

    Versions go through ``versions_map`` (default: ``map_``), the pieces inside a version through
    ``map_``: e.g. versions on a dask cluster (``tariffsim.parallel.executor``), each run serially there.
    """
    unknown = [v for v in versions if v not in VERSIONS]
    if unknown:
        raise OptionError(f"unknown version(s) {', '.join(unknown)}: choose among {', '.join(VERSIONS)}")
    tables = tuple(tables)
    weights_method(calibrate)  # an unknown name fails here, before any version runs
    return list((versions_map or map_)(
        lambda v: run_version(folder, v, tables=tables, calibrate=calibrate, map_=map_, report=report), versions))
