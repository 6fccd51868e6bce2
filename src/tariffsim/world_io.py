"""A world economy with input-output links: a ``World`` plus each country's input-output table.

The Caliendo-Parro (2015) model needs, besides the trade flows and tariffs of ``World``, how each
country's sectors produce (value added and intermediate inputs by sector) and how its final demand
splits across sectors. ``IOWorld`` holds these as levels in the data's units, so rescaling, selection
and consistency checks act on data, and derives the model's coefficients from them:

- ``intermediate[j, n, k]``: value of input sector ``n`` used by sector ``k`` in country ``j``,
  tariff-inclusive (buyers' prices), data units;
- ``value_added[j, k]``: value added of sector ``k`` in ``j`` (the wage bill w_j L_jk), data units;
- ``final_demand[j, n]``: final (consumer) spending of ``j`` on sector ``n``, tariff-inclusive;
- ``world.sigma = theta + 1``: the trade elasticity of the Ricardian model is ``theta = sigma - 1``.

Derived (Caliendo-Parro 2015 notation, §2): gross output ``Y[j, k] = value_added + sum_n
intermediate`` (which must match sales in the trade flows), input shares
``gamma[j, n, k] = intermediate / Y`` and value-added shares ``beta = value_added / Y`` (so
``beta + sum_n gamma = 1``), final-demand shares ``alpha[j, n]`` (sum to 1 over n), deficits
``D = imports - exports`` and income ``I = value_added + tariff revenue + D`` (eq. 9).

Sectors without trade between countries (services in the cp2015 data) are non-tradable: zero
foreign shares stay zero in hat algebra, i.e. infinite trade costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tariffsim._lookup import refuse_unknown_fields
from tariffsim._validate import MAX_LISTED
from tariffsim.errors import DataValidationError
from tariffsim.world import World, frozen_array

# Gross output from the input-output table and sales in the trade flows must agree this closely
# (relative to the sector's output); cp2015 agrees to 4e-7. Final demand must add up to income
# (value added + tariff revenue + deficit) as closely, relative to income.
OUTPUT_TOLERANCE = 1e-5
# Input-output tables built by subtraction carry tiny negative cells (cp2015 has one: Canada's use of
# 'Other' in 'Basic metals', -0.06% of that sector's output). Cells down to this share of the using
# sector's gross output are kept as they are (a negative input share that small is harmless to the
# model); more negative ones are errors.
NEGATIVE_INPUT_TOLERANCE = 1e-3


@dataclass(frozen=True, eq=False)
class IOWorld:
    """A ``World`` with input-output tables (see the module docstring for units and meaning).

    Attributes:
        world: trade flows (N, N, S) at world prices, tariffs (N, N, S), sigma = theta + 1 (S,).
        intermediate: (N, S, S) input n used by sector k in country j, buyers' prices.
        value_added: (N, S) value added by sector, >= 0.
        final_demand: (N, S) final spending by sector, buyers' prices, >= 0.
        notes: what a reader changed in the data (e.g. tiny negative cells set to zero).
    """

    world: World
    intermediate: np.ndarray
    value_added: np.ndarray
    final_demand: np.ndarray
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("intermediate", "value_added", "final_demand"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))
        object.__setattr__(self, "notes", tuple(self.notes))
        problems = io_problems(self.world, self.intermediate, self.value_added, self.final_demand)
        if problems:
            listed = problems[:MAX_LISTED] + ([f"... and {len(problems) - MAX_LISTED} more"]
                                              if len(problems) > MAX_LISTED else [])
            raise DataValidationError(f"invalid input-output data ({self.world.label or 'world'}): "
                                      f"{len(problems)} problem(s) found\n  - " + "\n  - ".join(listed))

    # --------------------------------------------------------------------------- names and sizes
    @property
    def countries(self) -> tuple[str, ...]:
        return self.world.countries

    @property
    def sectors(self) -> tuple[str, ...]:
        return self.world.sectors

    @property
    def label(self) -> str:
        return self.world.label

    @property
    def theta(self) -> np.ndarray:
        """(S,) trade elasticities theta_s = sigma_s - 1 (dispersion of productivity, CP §2)."""
        return self.world.sigma - 1

    # ----------------------------------------------------------------------- derived coefficients
    @cached_property
    def gross_output(self) -> np.ndarray:
        """(N, S) Y[j, k] = value added + intermediate inputs, data units."""
        return self.value_added + self.intermediate.sum(axis=1)

    @cached_property
    def input_shares(self) -> np.ndarray:
        """(N, S, S) gamma[j, n, k]: share of input n in the cost of sector k (0 where Y = 0)."""
        return self.intermediate / _positive(self.gross_output)[:, None, :]

    @cached_property
    def value_added_shares(self) -> np.ndarray:
        """(N, S) beta[j, k] = 1 - sum_n gamma[j, n, k] (1 for a sector without output)."""
        return np.where(self.gross_output > 0, self.value_added / _positive(self.gross_output), 1.0)

    @cached_property
    def final_shares(self) -> np.ndarray:
        """(N, S) alpha[j, n]: share of sector n in final spending (sums to 1 over n)."""
        return self.final_demand / self.final_demand.sum(axis=1, keepdims=True)

    @cached_property
    def deficits(self) -> np.ndarray:
        """(N,) D = imports - exports at world prices = -net exports, data units."""
        return -self.world.net_exports

    @cached_property
    def income(self) -> np.ndarray:
        """(N,) final absorption I = value added + tariff revenue + D (CP eq. 9), data units."""
        return self.value_added.sum(axis=1) + self.world.tariff_revenue + self.deficits

    # ------------------------------------------------------------------------------ transformations
    def replace(self, **changes) -> IOWorld:
        """A new IOWorld with some fields replaced (validated again)."""
        fields = {"world": self.world, "intermediate": self.intermediate, "value_added": self.value_added,
                  "final_demand": self.final_demand, "notes": self.notes}
        refuse_unknown_fields("IOWorld", changes, list(fields))
        return IOWorld(**{**fields, **changes})

    def scaled(self, factor: float) -> IOWorld:
        """Every value (flows, input-output tables) multiplied by ``factor`` > 0 (a change of units)."""
        return self.replace(world=self.world.with_trade(self.world.trade * factor),
                            intermediate=self.intermediate * factor, value_added=self.value_added * factor,
                            final_demand=self.final_demand * factor)

    def without_input_output(self) -> IOWorld:
        """The same flows with no intermediate inputs: value added = sales, final demand = spending.

        The Caliendo-Parro model on this world is the multi-sector model without input-output links.
        """
        spending = ((1 + self.world.tariffs) * self.world.trade).sum(axis=0)
        n, s = self.value_added.shape
        return self.replace(intermediate=np.zeros((n, s, s)), value_added=self.world.trade.sum(axis=1),
                            final_demand=spending, notes=(*self.notes, "input-output links removed"))

    def __repr__(self) -> str:
        return f"IOWorld({self.label or 'unnamed'}: {len(self.countries)} countries x {len(self.sectors)} sectors)"


def _positive(array: np.ndarray) -> np.ndarray:
    return np.where(array > 0, array, 1.0)


def io_problems(world: World, intermediate, value_added, final_demand) -> list[str]:
    """Every problem with the input-output arrays of ``world``, each naming country, sector and value."""
    n, s = world.n_countries, world.n_sectors
    shapes = {"intermediate": (np.shape(intermediate), (n, s, s)), "value_added": (np.shape(value_added), (n, s)),
              "final_demand": (np.shape(final_demand), (n, s))}
    problems = [f"{name} has shape {got}, expected {want} for {n} countries and {s} sectors"
                for name, (got, want) in shapes.items() if got != want]
    if problems:
        return problems
    C, S = world.countries, world.sectors
    floor = -NEGATIVE_INPUT_TOLERANCE * (value_added + intermediate.sum(axis=1))[:, None, :]
    for name, array, lowest in (("intermediate", intermediate, floor), ("value_added", value_added, 0.0),
                                ("final_demand", final_demand, 0.0)):
        for index in np.argwhere(~np.isfinite(array) | (array < lowest)):
            where = (f"country {C[index[0]]}, input {S[index[1]]}, user sector {S[index[2]]}" if array.ndim == 3
                     else f"country {C[index[0]]}, sector {S[index[1]]}")
            problems.append(f"{name} is negative or not a finite number at {where} (value: {array[tuple(index)]!r});"
                            " fix: values are levels >= 0 (intermediate uses may dip below 0 by at most "
                            f"{NEGATIVE_INPUT_TOLERANCE:.1%} of the using sector's gross output)")
    if problems:
        return problems
    output = value_added + intermediate.sum(axis=1)
    sales = world.trade.sum(axis=1)
    gap = np.abs(output - sales) > OUTPUT_TOLERANCE * np.maximum(output, sales)
    for i, k in np.argwhere(gap):
        problems.append(f"gross output of {C[i]} in {S[k]} is {output[i, k]:.6g} in the input-output table "
                        f"(value added + intermediate inputs) but {sales[i, k]:.6g} in the trade flows (sales to "
                        "all destinations); fix: the two must agree (domestic sales = gross output - exports)")
    total = final_demand.sum(axis=1)
    income = value_added.sum(axis=1) + world.tariff_revenue - world.net_exports
    for i in np.flatnonzero(total <= 0):
        problems.append(f"country {C[i]} has no final demand (all final_demand cells are 0); fix: add its "
                        "final consumption by sector")
    for i in np.flatnonzero((total > 0) & (np.abs(total - income) > OUTPUT_TOLERANCE * np.abs(income))):
        problems.append(f"final demand of {C[i]} sums to {total[i]:.6g} but its income (value added + tariff "
                        f"revenue + imports - exports) is {income[i]:.6g}; fix: final demand must add up to income")
    return problems
