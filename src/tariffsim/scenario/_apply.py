"""Apply a scenario's steps in order to a world's baseline tariffs, with the consistency checks.

Checks, each a ScenarioError naming the step(s) and an example cell:

- every step selects at least one tariff (see ``_select``);
- no resulting tariff is at or below -100%, or above ``MAX_TARIFF`` (1e6 = 100,000,000%, the limit the
  data readers apply: such a tariff already stops all trade, and larger ones only risk overflow);
- no two steps *set* one tariff (``set_percent`` or an agreement) to different levels;
- no ``add_points`` / ``scale`` change is wiped out on every cell it touches by later levels.

``trade_cost_points`` changes move a second cube, the iceberg trade-cost changes d_hat (ones at the
start), with the same selection rules.

A step all of whose cells carry no baseline trade changes nothing (a flow that is zero in the baseline
stays zero in every counterfactual): that is a ``ScenarioWarning``, not an error (a scenario written
for one world may be applied to another, where a pair does not trade).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tariffsim._validate import MAX_TARIFF
from tariffsim.errors import ScenarioError, ScenarioWarning
from tariffsim.scenario._steps import Step
from tariffsim.world import World


@dataclass(frozen=True)
class StepEffect:
    """What one step did: the cells it touched and the tariffs on them just before and after it.

    ``mean_before`` / ``mean_after`` are weighted by baseline trade on the cells (fractions; NaN
    when those cells carry no trade): tariffs, or for trade-cost steps d_hat - 1.
    """

    step: Step
    cells: np.ndarray
    trade: float
    mean_before: float
    mean_after: float


def apply_steps(world: World, steps: Sequence[Step], origin: str) -> tuple[np.ndarray, np.ndarray, list[StepEffect]]:
    """Run ``steps`` in order on ``world.tariffs``: the new (N, N, S) tariff cube, the (N, N, S)
    trade-cost changes d_hat (ones unless a step moves them) and each step's effect."""
    baseline = world.tariffs
    cube = baseline.copy()
    costs = np.ones(baseline.shape)
    level = np.full(baseline.shape, np.nan)  # the level a set_percent / agreement fixed
    setter = np.full(baseline.shape, -1)  # index of the last step that fixed it
    effects: list[StepEffect] = []
    for k, step in enumerate(steps):
        where = f"{origin}, {step.label}"
        cells = step.cells(world, where)
        if step.instrument == "trade_cost_hat":
            new_costs = np.where(cells, step.after(costs, costs), costs)
            effects.append(_effect(world, step, cells, costs - 1, new_costs - 1))
            costs = new_costs
            continue
        with np.errstate(over="ignore"):  # a huge scale overflows to inf: refused by _check_ceiling
            new = np.where(cells, step.after(cube, baseline), cube)
        _check_floor(world, where, cells, new)
        _check_ceiling(world, where, step, cells, cube, new)
        if step.sets_level:
            _check_same_level(world, where, steps, cells, new, level, setter)
            level[cells] = new[cells]
            setter[cells] = k
        effects.append(_effect(world, step, cells, cube, new))
        cube = new
    _check_no_dead_change(world, origin, effects, setter)
    _warn_no_trade(world, origin, effects)
    return cube, costs, effects


def _effect(world: World, step: Step, cells: np.ndarray, before: np.ndarray, after: np.ndarray) -> StepEffect:
    weights = world.trade[cells]
    trade = float(weights.sum())
    if trade > 0:
        return StepEffect(step, cells, trade, float(weights @ before[cells]) / trade,
                          float(weights @ after[cells]) / trade)
    return StepEffect(step, cells, trade, float("nan"), float("nan"))


def _check_floor(world: World, where: str, cells: np.ndarray, new: np.ndarray) -> None:
    below = np.argwhere(cells & (new <= -1.0))
    if below.size:
        cell = tuple(below[0])
        raise ScenarioError(
            f"{where}: makes the tariff on {_cell_name(world, cell)} {100 * new[cell]:g}%, at or below "
            "-100% (an import subsidy that pays more than the goods cost). Use a smaller cut."
        )


def _check_ceiling(world: World, where: str, step: Step, cells: np.ndarray, before: np.ndarray,
                   new: np.ndarray) -> None:
    """A ScenarioError when the step makes a tariff above MAX_TARIFF, quoting the step's value and the
    largest value that keeps every cell it touches at or below that limit, in the file's units."""
    above = np.argwhere(cells & ~(new <= MAX_TARIFF))
    if not above.size:
        return
    cell = tuple(above[0])
    with np.errstate(over="ignore"):
        made = f"{100 * new[cell]:g}%" if np.isfinite(100 * new[cell]) else "too large to represent (overflow)"
    current = before[cells]
    if step.action == "set_percent":
        largest = 100 * MAX_TARIFF
    elif step.action == "add_points":
        largest = 100 * (MAX_TARIFF - float(current.max()))
    else:  # scale (an agreement only lowers tariffs)
        largest = MAX_TARIFF / float(current.max())
    raise ScenarioError(
        f"{where}: {step.action} = {step.value:g} makes the tariff on {_cell_name(world, cell)} {made}, above "
        f"{100 * MAX_TARIFF:,.0f}% ({MAX_TARIFF:g} as a fraction), the largest tariff tariffsim accepts. A tariff of {100 * MAX_TARIFF:,.0f}% already stops all trade: use {step.action} = "
        f"{_round_down(largest):.8g} or less."
    )


def _round_down(x: float, digits: int = 8) -> float:
    """``x`` (> 0) rounded down to ``digits`` significant digits: a limit quoted that is itself accepted."""
    step = 10.0 ** (np.floor(np.log10(x)) - digits + 1)
    return float(np.floor(x / step) * step)


def _check_same_level(world, where, steps, cells, new, level, setter) -> None:
    clash = np.argwhere(cells & (setter >= 0) & ~np.isclose(new, level, rtol=0.0, atol=1e-12))
    if clash.size:
        cell = tuple(clash[0])
        other = steps[setter[cell]]
        raise ScenarioError(
            f"{where}: sets the tariff on {_cell_name(world, cell)} to {100 * new[cell]:g}%, but "
            f"{other.label} already sets it to {100 * level[cell]:g}%. A level may be stated once; "
            "take those cells out of one of them (except_importers, except_exporters, except_sectors)."
        )


def _check_no_dead_change(world, origin, effects: Sequence[StepEffect], setter: np.ndarray) -> None:
    for k, effect in enumerate(effects):
        if effect.step.sets_level or effect.step.instrument != "tariffs":
            continue
        if not (effect.cells & (setter < k)).any():
            cell = tuple(np.argwhere(effect.cells)[0])
            later = effects[setter[cell]].step
            raise ScenarioError(
                f"{origin}, {effect.step.label}: has no effect: later changes set a new level on every "
                f"tariff it touches (e.g. {later.label} on {_cell_name(world, cell)}). Remove it, or "
                "take its cells out of the later changes."
            )


def _warn_no_trade(world: World, origin: str, effects: Sequence[StepEffect]) -> None:
    """A ScenarioWarning for each step whose cells all have zero baseline flows."""
    for effect in effects:
        if effect.trade > 0 or not effect.cells.any():
            continue
        n = int(effect.cells.sum())
        what = "trade cost" if effect.step.instrument == "trade_cost_hat" else "tariff"
        cell = tuple(np.argwhere(effect.cells)[0])
        cells = f"the one {what}" if n == 1 else f"any of the {n} {what}s"
        warnings.warn(
            f"{origin}, {effect.step.label}: has no effect: there is no baseline trade on {cells} it changes "
            f"(e.g. {_cell_name(world, cell)}), and a flow that is zero in the baseline stays zero in the "
            "counterfactual. Check its importers, exporters and sectors against the data.",
            ScenarioWarning, stacklevel=4)


@contextlib.contextmanager
def scenario_warnings(show: Callable[[str], None]) -> Iterator[None]:
    """Hand every ScenarioWarning raised inside to ``show`` (e.g. a CLI's "warning:" line) instead of
    Python's warning display; other warnings go on as usual."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        yield
    for w in caught:
        if issubclass(w.category, ScenarioWarning):
            show(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _cell_name(world: World, cell: tuple[int, ...]) -> str:
    i, j, s = (int(k) for k in cell)
    return f"exporter {world.countries[i]}, importer {world.countries[j]}, sector {world.sectors[s]}"
