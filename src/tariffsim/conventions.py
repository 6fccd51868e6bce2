"""Conventions: the choices a tool makes between reading a data set and computing on it.

Two tools given the same cube can disagree because they *read* it differently, not because their
models do. A ``Convention`` names those choices; ``prepare(world, convention)`` turns a world as
tariffsim's readers give it (``tariffsim.io.read_world("icio2022")`` / ``("wiod2014")``) into the world
that convention computes on. See ``docs/conventions.md`` for every choice with its source.

- ``TARIFFSIM`` (the default) changes nothing: the flows are trade at world (pre-tariff) prices, as
  ``World`` defines them and as the source tables are valued (basic prices); no floor; trade
  imbalances as the user chooses (``--purge``, ``--net-exports``); the ``krugman`` model; tariffs
  searched within the games' bounds, with a warning when an optimum sits on a bound.
- ``TARIFFWAR`` is the convention of A. Lashkaripour's MATLAB package ``tariffwar`` (the model of
  Lashkaripour 2021, JIE 131; GitHub ``ahmadlp/tariffwar``, the commit the shared cubes come from,
  9863698): in ICIO cubes US$1 million is added to every domestic flow; the flows are read as
  tariff-inclusive spending (a producer earns flow / (1 + tariff)); trade imbalances are purged by
  solving the multi-sector Armington model with zero deficits at the factual tariffs; the Nash tariff
  is one uniform import tariff per country (every partner, every sector, services included), capped at
  100% by the package's floor on the denominator of its eq. 14.

``prepare`` does, in this order (the package's order, ``+tariffwar/+pipeline/run.m`` lines 140-145):

1. the domestic floor: ``convention.domestic_floor`` (US$ million, the cubes' unit) is added to every
   domestic cell ``trade[i, i, s]`` of every sector, in ICIO cubes only. A world is an ICIO cube when
   ``icio=True`` is passed, or, by default, when its label starts with ``ICIO`` (the label every
   tariffwar ICIO cube and the embedded ``icio2022`` carry) or its sectors are the 28 ICIO codes of
   ``tariffsim.io.tariffwar.ICIO_SECTOR_NAMES``. Domestic cells carry no tariff, so the floor is the
   same in either price convention;
2. when ``convention.flows_include_tariffs``: ``trade = flow / (1 + tariff)`` cell by cell, so that
   ``World.trade`` holds trade at world prices again (tariffsim's ``World`` convention) and
   ``World.expenditure`` (tariff-inclusive spending) equals the sum of the cube's flows into each
   importer: the package's income ``Y_i``. Producer revenue of exporter ``i`` is
   ``trade[i].sum()`` = ``sum_j flow_ij / (1 + t_ij)``, the package's ``R_i``;
3. when ``convention.purge_first``: ``tariffsim.purge.purge(world, model)`` with the convention's model
   (``armington`` for tariffwar: labour only, all sales are wages, tariff revenue is income, exactly the
   package's eqs. 6-7). The purge depends on ``sigma``, as in the package (which purges once per
   elasticity set): choose the elasticity set (``World.with_elasticity``) before ``prepare``.

The result's label ends with ``[convention <name>]``; ``prepare`` returns such a world unchanged, so
preparing twice cannot add the floor twice. ``TARIFFSIM`` returns its argument itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tariffsim.world import World

REPOSITORY = "ahmadlp/tariffwar"
COMMIT = "9863698"
"""The tariffwar commit the shared cubes come from (``../shared/data/tariffwar/README.md``)."""


@dataclass(frozen=True)
class Convention:
    """The choices between the data as read and the numbers a tool computes.

    Attributes:
        name: ``"tariffsim"`` or ``"tariffwar"`` (``--convention`` value).
        description: one line for tables and reports.
        flows_include_tariffs: the data's flows are read as tariff-inclusive spending, so producer
            revenue is flow / (1 + tariff); ``prepare`` converts them to trade at world prices.
        domestic_floor: US$ million added to every domestic flow ``trade[i, i, s]`` of an ICIO cube
            before anything else (0: none).
        purge_first: ``prepare`` purges trade imbalances (zero net exports at factual tariffs) with
            ``model``; False leaves imbalances to the command's own options (``--purge``,
            ``--net-exports``).
        model: the model the convention computes with (``tariffsim.models.get_model`` name).
        nash_mode: the Nash war's instruments: ``"uniform"`` (one import tariff per country on every
            partner and sector), ``"mfn"`` (one per country and sector), ``"discriminatory"`` (per
            partner and sector), or None: as the command's options say.
        tariff_cap: the largest net tariff the convention's optimal-tariff formula returns (1.0 = 100%;
            the package's t = 1 / max(AUX8, 1)), or None: no cap, the games search within their
            bounds (``upper``, default 10 = 1000%) and warn when an optimum sits on one.
        welfare: how welfare changes are measured, in words.
        sources: (choice, source) pairs, e.g. ``("domestic_floor", "+tariffwar/+pipeline/run.m:140-143")``.
    """

    name: str
    description: str
    flows_include_tariffs: bool = False
    domestic_floor: float = 0.0
    purge_first: bool = False
    model: str = "krugman"
    nash_mode: str | None = None
    tariff_cap: float | None = None
    welfare: str = ""
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        from tariffsim.errors import OptionError
        from tariffsim.models import MODELS

        if self.model not in MODELS:
            raise OptionError(f"convention {self.name!r}: unknown model {self.model!r}; models: {', '.join(MODELS)}")
        if self.nash_mode not in NASH_MODES:
            raise OptionError(f"convention {self.name!r}: nash_mode {self.nash_mode!r} is not one of "
                              f"{', '.join(m for m in NASH_MODES if m)} (or None)")
        if not (np.isfinite(self.domestic_floor) and self.domestic_floor >= 0):
            raise OptionError(f"convention {self.name!r}: domestic_floor must be a number >= 0, "
                              f"not {self.domestic_floor!r}")
        if self.tariff_cap is not None and not (np.isfinite(self.tariff_cap) and self.tariff_cap > 0):
            raise OptionError(f"convention {self.name!r}: tariff_cap must be a positive number or None, "
                              f"not {self.tariff_cap!r}")

    @property
    def marker(self) -> str:
        """The label suffix of a world prepared under this convention."""
        return f"[convention {self.name}]"

    def source(self, choice: str) -> str:
        """The source of one choice (a field name), or ''."""
        return dict(self.sources).get(choice, "")

    def facts(self) -> dict:
        """The convention as a JSON-ready dict (for result documents)."""
        out = dataclasses.asdict(self)
        out["sources"] = dict(self.sources)
        return out


NASH_MODES = (None, "uniform", "mfn", "discriminatory")

_RUN = "+tariffwar/+pipeline/run.m"  # at 9863698
_NASH = "+tariffwar/+solver/nash_equations.m"  # at b195a95
_WELFARE = "+tariffwar/+welfare/welfare_gains.m"  # at 9863698
_DERIVED = "+data/compute_derived_cubes.m"  # at 2533dda (tariffwar.data.compute_derived_cubes)
_BALANCE = "+data/balance_trade.m"  # at 2533dda (tariffwar.data.balance_trade)
_BALANCED_EQ = "+solver/balanced_trade_equations.m"  # at 2533dda
_BUILD_ICIO = "+tariffwar/+data/build_cubes_icio.m"  # at b195a95

TARIFFSIM = Convention(
    name="tariffsim",
    description="tariffsim's default: flows at world (pre-tariff) prices as read, no floor, imbalances as chosen, "
                "krugman, tariffs within the games' bounds",
    flows_include_tariffs=False,
    domestic_floor=0.0,
    purge_first=False,
    model="krugman",
    nash_mode=None,
    tariff_cap=None,
    welfare="real income (income over the price index; political-economy weights when asked) relative to the "
            "world the game is played on (purged when --purge)",
    sources=(
        ("flows_include_tariffs", ("src/tariffsim/world.py (trade at world pre-tariff prices); WIOD: Timmer et al. "
                                   "(2015) RIE 23(3) p. 578, transactions at basic prices; ICIO: basic prices, "
                                   "taxes less subsidies on products in separate TLS rows")),
        ("model", "Ossa (2014) AER 104(12): Krugman, profits 1/sigma of sales; MODEL_OSSA2014.md"),
        ("tariff_cap", ("src/tariffsim/games/optimal.py, games/nash.py: bounds [0, upper], upper = 10 by default, "
                        "at_upper_bound reported")),
    ),
)

TARIFFWAR = Convention(
    name="tariffwar",
    description="tariffwar (Lashkaripour 2021): +US$1m on ICIO domestic flows, flows tariff-inclusive, imbalances "
                "purged with armington, uniform Nash tariffs capped at 100%",
    flows_include_tariffs=True,
    domestic_floor=1.0,
    purge_first=True,
    model="armington",
    nash_mode="uniform",
    tariff_cap=1.0,
    welfare="income over the Cobb-Douglas price index (E_hat / P_hat) relative to the purged baseline at "
            "factual tariffs",
    sources=(
        ("domestic_floor", (f"{_RUN}:140-143 (Xjik_raw + repmat(eye(N), [1, 1, S]) when ds is 'icio', before "
                            "balance_trade)")),
        ("flows_include_tariffs", (f"{_DERIVED}:20 (Ri = sum X ./ (1 + t)), {_DERIVED}:19 (Yi = sum of flows), "
                                   f"{_NASH}:55 (AUX3 = shares e Y ./ (1 + t))")),
        ("purge_first", (f"{_RUN}:145 (balance_trade inside the loop over elasticity sets), {_BALANCE}:26-79 "
                         f"(fsolve from ones, TolFun 1e-6), {_BALANCED_EQ}:33,55,65 (factual tariffs, eqs. 6-7)")),
        ("model", (f"{_BALANCED_EQ}:53-65 and {_NASH}:53-67 (labour only: R = wage bill; Y = wages + tariff "
                  f"revenue; CES within sectors, Cobb-Douglas e_ik across, {_DERIVED}:21); "
                  f"{_BUILD_ICIO}:81-83,139 (intermediate + final use summed into one flow)")),
        ("nash_mode", (f"{_NASH}:40-42 (one tariff per importer on every exporter and all S sectors, zero on the "
                       "diagonal)")),
        ("tariff_cap", (f"{_NASH}:79-83 (ERR3 = tjik - (1 + 1 ./ max(AUX8, 1)); tjik is the gross tariff, so the net "
                        "tariff is at most 1 = 100%)")),
        ("welfare", f"{_WELFARE}:39-49 (Wi_h = Ei_h ./ Pi_h), on the purged cubes ({_RUN}:146-149)"),
    ),
)

CONVENTIONS = {c.name: c for c in (TARIFFSIM, TARIFFWAR)}
DEFAULT = TARIFFSIM.name


def get_convention(name: str | Convention | None) -> Convention:
    """A convention by name (``"tariffsim"``, ``"tariffwar"``, any case); None gives the default and a
    ``Convention`` is returned as is. Raises OptionError naming the choices."""
    from tariffsim._lookup import suggest
    from tariffsim.errors import OptionError

    if name is None:
        return CONVENTIONS[DEFAULT]
    if isinstance(name, Convention):
        return name
    try:
        return CONVENTIONS[str(name).strip().lower()]
    except KeyError:
        raise OptionError(f"unknown convention {name!r}.{suggest(str(name), CONVENTIONS)} Conventions: "
                          f"{', '.join(CONVENTIONS)}.") from None


def is_icio(world: World) -> bool:
    """Whether ``world`` is an ICIO cube: its label starts with ``ICIO`` or its sectors are the 28 ICIO
    codes (``tariffsim.io.tariffwar.ICIO_SECTOR_NAMES``)."""
    from tariffsim.io.tariffwar import ICIO_SECTOR_NAMES

    return world.label.strip().upper().startswith("ICIO") or tuple(world.sectors) == tuple(ICIO_SECTOR_NAMES)


def add_domestic_floor(world: World, amount: float) -> World:
    """The world with ``amount`` (data units) added to every domestic cell ``trade[i, i, s]``."""
    trade = np.array(world.trade)
    idx = np.arange(world.n_countries)
    trade[idx, idx, :] += amount
    return world.with_trade(trade)


def flows_to_world_prices(flows: np.ndarray, tariffs: np.ndarray) -> np.ndarray:
    """Trade at world prices of tariff-inclusive flows: ``flows / (1 + tariffs)`` cell by cell."""
    return np.asarray(flows, dtype=float) / (1 + np.asarray(tariffs, dtype=float))


def tariff_inclusive_flows(world: World) -> np.ndarray:
    """(N, N, S) the world's flows as tariff-inclusive spending, ``(1 + t) X``: the numbers a tool with
    ``flows_include_tariffs`` reads (tariffwar's ``Xjik_3D`` of a prepared world, axes exporter x
    importer x sector)."""
    return (1 + world.tariffs) * world.trade


def prepare(world: World, convention: str | Convention | None, *, icio: bool | None = None,
            on_step: Callable[[str], None] | None = None) -> World:
    """The world ``convention`` computes on, from ``world`` as tariffsim's readers give it.

    Steps (module docstring): the domestic floor (ICIO cubes only; ``icio`` overrides the detection of
    ``is_icio``), the conversion of tariff-inclusive flows to world prices, the purge of trade
    imbalances with the convention's model. ``convention`` is a ``Convention`` or its name (None: the
    default, ``TARIFFSIM``). ``on_step(text)`` is called before each step that does
    something (progress lines). A world already prepared under the convention (its label ends with
    ``convention.marker``) is returned unchanged; ``TARIFFSIM`` returns ``world`` itself.

    Raises ConvergenceError when the purge does not converge (a country with no imports at all, say).
    """
    convention = get_convention(convention)
    if convention.marker in world.label:
        return world
    steps = []
    out = world
    if convention.domestic_floor and (is_icio(world) if icio is None else icio):
        _say(on_step, f"adding US$ {convention.domestic_floor:g} million to every domestic flow (ICIO cube)")
        out = add_domestic_floor(out, convention.domestic_floor)
        steps.append(f"+{convention.domestic_floor:g} on domestic flows")
    if convention.flows_include_tariffs:
        _say(on_step, "reading flows as tariff-inclusive spending: trade at world prices = flow / (1 + tariff)")
        out = out.with_trade(flows_to_world_prices(out.trade, out.tariffs))
        steps.append("flows read as tariff-inclusive")
    if convention.purge_first:
        from tariffsim.models import get_model
        from tariffsim.purge import purge_equilibrium

        _say(on_step, f"purging trade imbalances ({convention.model}, factual tariffs, zero net exports)")
        out = out.with_trade(purge_equilibrium(out, get_model(convention.model)).trade)
        steps.append(f"imbalances purged ({convention.model})")
    if out is world:
        return world
    label = f"{world.label} ({'; '.join(steps)}) {convention.marker}".strip()
    return out.replace(label=label)


def _say(on_step: Callable[[str], None] | None, text: str) -> None:
    if on_step is not None:
        on_step(text)


__all__ = ["CONVENTIONS", "DEFAULT", "TARIFFSIM", "TARIFFWAR", "Convention", "add_domestic_floor",
           "flows_to_world_prices", "get_convention", "is_icio", "prepare", "tariff_inclusive_flows"]
