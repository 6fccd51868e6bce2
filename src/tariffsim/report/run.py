"""Solve every scenario of a pack on one calibrated world, each equilibrium verified."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError
from tariffsim.models import Calibration, Krugman
from tariffsim.report.pack import Pack, PackScenario

RESIDUAL_TOLERANCE = 1e-10


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """A pack scenario and its verified equilibrium on the pack's world."""

    item: PackScenario
    equilibrium: Equilibrium

    @property
    def label(self) -> str:
        return self.item.label


def verified(equilibrium: Equilibrium, what: str) -> Equilibrium:
    """``equilibrium`` if its largest residual is within RESIDUAL_TOLERANCE, else ConvergenceError."""
    if not equilibrium.max_residual <= RESIDUAL_TOLERANCE:
        raise ConvergenceError(f"{what}: the equilibrium's largest residual is {equilibrium.max_residual:.2e}, "
                               f"above the report's tolerance {RESIDUAL_TOLERANCE:g}; the report stops here. "
                               "Check the scenario's tariff changes (very large changes may need smaller steps).")
    return equilibrium


def solve_pack(pack: Pack, calibration: Calibration,
               on_scenario: Callable[[PackScenario], None] = lambda item: None) -> tuple[ScenarioResult, ...]:
    """Every scenario of ``pack`` solved with the Krugman model on ``calibration``, in pack order.

    ``on_scenario(item)`` is called before each solve (progress).
    """
    model = Krugman()
    results = []
    for item in pack.scenarios:
        on_scenario(item)
        policy = item.scenario.apply(calibration.world)
        equilibrium = model.solve(calibration, policy)
        results.append(ScenarioResult(item, verified(equilibrium, f"scenario {item.file} ({item.label})")))
    return tuple(results)
