"""The one model contract: what a model is, and what it hands the solver, the games and the results.

A model is an object with

- ``name``, ``solver`` (its ``SolverConfig``), ``instruments`` (the ``Policy`` instruments it can
  take) and ``variables`` (the result variables it declares, see ``Variable``);
- ``calibrate(world) -> Calibration``: the baseline arrays its equations need;
- ``equations(calibration, policy) -> Equations``: the square system to solve for that policy.

``tariffsim.solve.solve(model, calibration, policy)`` is the only solve scaffold: it runs the one
Newton on ``Equations``, checks every equation (``full_residuals``, including the one Walras' law
drops) and returns the one ``Equilibrium`` type. Games (``tariffsim.games``) use the same
``Kernel`` functions and differentiate them (implicit function theorem) when the model says it can.

A new model is one module in ``models/``: subclass ``TradeModel`` (or implement the same methods),
write the ``Kernel`` functions in ``jax.numpy`` and declare the variables. See
``docs/architecture.md`` and ``tests/test_new_model.py`` (a toy model written in one test module).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

import numpy as np

from tariffsim.errors import ScenarioError
from tariffsim.solve import SolverConfig

if TYPE_CHECKING:
    from tariffsim.equilibrium import Equilibrium
    from tariffsim.policy import Policy
    from tariffsim.world import World

Level = Literal["country", "country_sector", "bilateral"]
Gradients = Literal["reverse", "forward"]

UNITS: dict[str, str] = {
    "pct": "percent change, 100*(new/baseline - 1)",
    "pct_of_expenditure": "percent of baseline expenditure (first-order decomposition)",
    "pct_of_income": "percent of baseline income (first-order decomposition)",
    "data_units": "levels in the data's units at world (pre-tariff) prices",
}


@dataclass(frozen=True)
class Variable:
    """One result variable a model declares.

    Attributes:
        name: column name in the long table (``welfare``, ``exports_new``, ...).
        level: ``country`` (values (N,)), ``country_sector`` ((N, S)) or ``bilateral`` ((N, N):
            exporter, importer).
        unit: a key of ``UNITS``.
        description: the glossary entry (JSON ``variables``).
        compute: ``compute(equilibrium) -> array`` of the level's shape. NaN where the value is
            undefined (e.g. a percent change of a zero baseline).
        label: short column header for printed tables.
        group: ``headline`` (the first table) or ``""`` (other tables, the long table and files).
        available: ``available(equilibrium) -> bool``; False leaves the variable out of every table
            and file for that equilibrium (e.g. a tariff-change decomposition when trade costs move),
            rather than reporting a wrong number or NaN.
    """

    name: str
    level: Level
    unit: str
    description: str
    compute: Callable[[Equilibrium], np.ndarray]
    label: str = ""
    group: str = ""
    available: Callable[[Equilibrium], bool] = lambda equilibrium: True

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"variable {self.name}: unknown unit {self.unit!r}; units: {', '.join(UNITS)}")
        if self.level not in ("country", "country_sector", "bilateral"):
            raise ValueError(f"variable {self.name}: unknown level {self.level!r}")


class PolicyArrays(NamedTuple):
    """The numbers of a ``Policy`` as one JAX pytree, the argument every ``Kernel`` function takes.

    tariffs (N,N,S) t' (fractions); trade_cost_hat (N,N,S) iceberg-cost changes d_hat, or None when
    the policy moves no trade cost (read it as ones); export_tax (N,N,S) ad-valorem export taxes of
    exporter i on sales to j (negative: subsidies), or None (zeros); net_exports (N,) counterfactual net
    exports NX' in data units. Kernels handle None (a static case: compiled once per structure), which
    saves building, moving and multiplying arrays of ones in every solve.
    """

    tariffs: Any
    trade_cost_hat: Any
    export_tax: Any
    net_exports: Any


@dataclass(frozen=True)
class Kernel:
    """A model's equilibrium conditions as pure ``jax.numpy`` functions (hashable: compiled once).

    Every function takes ``(u, params, policy)``: the unknowns (n,), the calibration's arrays (a
    pytree) and the ``PolicyArrays``.

    Attributes:
        residuals: the square system, (n,) (one equation dropped by Walras' law, replaced by the
            numeraire).
        jacobian: its derivative in ``u``, (n, n); None: ``jax.jacfwd(residuals)``.
        full_residuals: every equation, (m,), each relative (divided by a baseline level), in the
            order of ``Equations.equations``.
        outcome: counterfactual quantities at ``u`` (a NamedTuple of arrays; must have ``trade``
            (N,N,S), ``w_hat`` (N,), ``E_hat`` (N,) and ``price_index_sector_hat`` (N,S)).
        welfare_parts: for games: ``(income_new (N,S), income_base (N,S), price_index_hat (N,))`` so
            that government welfare G_hat_j = (sum_s lambda I') / (sum_s lambda I) / P_hat_j
            (MODEL_OSSA2014 §3.6). None: the model cannot be used in games.
        gradients: how games differentiate through the equilibrium: ``"reverse"`` (adjoint, cost
            independent of the number of tariffs), ``"forward"`` (one tangent per tariff; for models
            whose inner fixed points only have forward derivatives) or None (no gradients).
    """

    residuals: Callable
    full_residuals: Callable
    outcome: Callable
    jacobian: Callable | None = None
    welfare_parts: Callable | None = None
    gradients: Gradients | None = "reverse"


@lru_cache(maxsize=256)
def labels(template: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """``template.format(name)`` for every name, remembered (labels are built on every solve)."""
    return tuple(template.format(name) for name in names)


@dataclass(frozen=True, eq=False)
class Equations:
    """What ``model.equations(calibration, policy)`` hands the solver.

    Attributes:
        kernel: the model's pure functions.
        params: the calibration's arrays (pytree). policy: the ``PolicyArrays`` of the counterfactual.
        start: (n,) starting unknowns (zeros: the baseline, for models in changes).
        unknowns: (n,) labels of the unknowns (``log w_hat JPN``, ...).
        equations: (m,) labels of ``full_residuals`` (``labour market of JPN``, ...), for error messages.
        what_to_try: advice appended to a ConvergenceError.
    """

    kernel: Kernel
    params: Any
    policy: PolicyArrays
    start: np.ndarray
    unknowns: tuple[str, ...]
    equations: tuple[str, ...]
    what_to_try: str = ("check for extreme tariffs (a prohibitive tariff of 1e6 is enough), a smaller shock, "
                        "SolverConfig(max_steps=..., max_log_step=0.5), or a looser tol if the data are poorly "
                        "scaled")


@dataclass(frozen=True, eq=False)
class Calibration:
    """A world calibrated for one model.

    Attributes:
        model: the model object that made it, solver settings included: games and ``solve`` use it,
            so a user's ``Krugman(solver=SolverConfig(tol=...))`` is the one that runs.
        world: the baseline World (for models that reconcile the data first, the reconciled one).
        params: the arrays the model's ``Kernel`` functions take (a JAX pytree).
        source: what was calibrated (the World, or e.g. an IOWorld with input-output tables).
        facts: numbers about the calibration worth reporting (e.g. ``reconciliation``).
    """

    model: Any
    world: World
    params: Any
    source: Any = None
    facts: Mapping[str, float] = field(default_factory=dict)

    def __getattr__(self, name: str):
        facts = self.__dict__.get("facts", {})
        if name in facts:
            return facts[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")


@dataclass(frozen=True)
class TradeModel:
    """Base class of the built-in models: the contract plus defaults shared by multi-country trade models.

    Subclasses set ``name``, ``instruments`` and ``variables`` and implement ``calibrate`` and
    ``equations``. ``solve(calibration, policy)`` is a shortcut for ``tariffsim.solve.solve(self, ...)``.
    """

    name: ClassVar[str] = ""
    instruments: ClassVar[frozenset[str]] = frozenset({"tariffs", "net_exports"})
    variables: ClassVar[tuple[Variable, ...]] = ()
    # The welfare-parts table printed after the headline: (variable name, column header) in order, its
    # title and caption; empty for models without a decomposition.
    welfare_parts_table: ClassVar[tuple[tuple[str, str], ...]] = ()
    welfare_parts_title: ClassVar[str] = ""
    welfare_parts_caption: ClassVar[str] = ""
    # What the headline table's columns mean, for its caption.
    headline_caption: ClassVar[str] = "welfare = real income; exports and imports at world prices"
    solver: SolverConfig = field(default_factory=SolverConfig)

    def calibrate(self, world: World) -> Calibration:
        raise NotImplementedError

    def equations(self, calibration: Calibration, policy: Policy) -> Equations:
        raise NotImplementedError

    def solve(self, calibration: Calibration, policy: Policy) -> Equilibrium:
        """The verified counterfactual equilibrium (``tariffsim.solve.solve`` with this model's solver)."""
        from tariffsim.solve import solve

        return solve(self, calibration, policy)

    # ------------------------------------------------------------------ defaults used by Equilibrium
    def sector_weights(self, equilibrium: Equilibrium) -> np.ndarray:
        """(N, S) weights of the consumer price index: baseline Cobb-Douglas spending shares."""
        world = equilibrium.world
        spending = ((1 + world.tariffs) * world.trade).sum(axis=0)
        return spending / spending.sum(axis=1, keepdims=True)

    def profit_share(self, equilibrium: Equilibrium) -> np.ndarray:
        """(S,) share of sales that is operating profit (0 without profits)."""
        return np.zeros(equilibrium.world.n_sectors)

    def industry_income_share(self, equilibrium: Equilibrium) -> np.ndarray:
        """(N, S) share of sales that is income of the industry (1; value added share with inputs)."""
        return np.ones(equilibrium.world.trade.shape[::2])

    def government_welfare_hat(self, equilibrium: Equilibrium, weights: np.ndarray) -> np.ndarray:
        """(N,) G_hat with political-economy weights (N, S): weighted industry income (sales income plus
        the wage-bill share of tariff revenue) over P_hat (MODEL_OSSA2014 §3.6). It must equal what the
        Kernel's ``welfare_parts`` give the games (a model whose welfare differs overrides both)."""
        from tariffsim import welfare

        share = self.industry_income_share(equilibrium)
        world = equilibrium.world
        base_income = welfare.industry_income(share * world.trade.sum(axis=1), world.tariff_revenue,
                                              equilibrium.profit_share)
        new_income = welfare.industry_income(share * equilibrium.sales, equilibrium.tariff_revenue,
                                             equilibrium.profit_share)
        return np.asarray(welfare.government_welfare_hat(weights, base_income, new_income,
                                                         equilibrium.price_index_hat))

    def decomposition(self, equilibrium: Equilibrium) -> dict[str, np.ndarray]:
        """(N,) parts of the welfare change by name (percent); models without one refuse."""
        from tariffsim.errors import OptionError

        raise OptionError(f"the {self.name} model has no welfare decomposition")

    def check_instruments(self, policy: Policy, world: World) -> None:
        """Refuse, by name, an instrument of ``policy`` this model does not have."""
        unsupported = sorted(set(policy.instruments_used(world)) - set(self.instruments))
        if unsupported:
            raise ScenarioError(
                f"the {self.name} model does not support {', '.join(unsupported)} (the policy "
                f"{policy.name or ''!s} sets {'it' if len(unsupported) == 1 else 'them'}); its instruments are "
                f"{', '.join(sorted(self.instruments))}. Use a model that has {unsupported[0]}, or drop that change.")

    def require_gradients(self, what: str) -> None:
        """Raise OptionError unless games can differentiate this model."""
        from tariffsim.errors import OptionError

        kernel = self.kernel()
        if kernel.welfare_parts is None or kernel.gradients is None:
            raise OptionError(f"{what} needs welfare gradients through the equilibrium; the {self.name} model does "
                              "not provide them (its Kernel has no welfare_parts or gradients). Use krugman, ilms, "
                              "armington or caliendo_parro.")

    def kernel(self) -> Kernel:
        """The model's Kernel (the same object for every calibration)."""
        raise NotImplementedError
