"""The steps a scenario applies to a tariff cube: ``[[change]]`` and ``[[agreement]]`` tables.

Every step knows which cells it touches (``cells``), what it makes of them (``after``) and whether
it states a level (``sets_level``: ``set_percent`` changes and agreements) rather than moving the
current one (``add_points``, ``scale``). Values are kept in the file's units (percent, points,
factors) so messages can quote them; conversion to fractions happens in ``after``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from tariffsim.scenario._select import ALL, cell_mask
from tariffsim.toml_schema import array_label
from tariffsim.world import World

Action = Literal["add_points", "set_percent", "scale", "trade_cost_points"]
ACTIONS: tuple[Action, ...] = ("add_points", "set_percent", "scale", "trade_cost_points")


@dataclass(frozen=True)
class _Numbered:
    """What every step has: its kind, its position among the tables of that kind, a description."""

    kind: ClassVar[str]

    number: int
    description: str

    @property
    def label(self) -> str:
        return array_label(self.kind, self.number, self.description)


@dataclass(frozen=True)
class TariffChange(_Numbered):
    """One ``[[change]]`` table: move the tariffs that ``importers`` levy on ``exporters``' goods.

    Attributes:
        number: position among the file's ``[[change]]`` tables, from 1.
        description: plain-language statement of the change.
        action: ``"add_points"`` (add percentage points), ``"set_percent"`` (new level in percent),
            ``"scale"`` (multiply the tariff) or ``"trade_cost_points"`` (raise the iceberg trade cost
            of the cells by that many ad-valorem points, e.g. a non-tariff barrier: d' = d (1 + v/100);
            negative values lower it).
        value: the number written for the action, in the file's units (25 means 25 points / 25%).
        importers, exporters, sectors: names as written; ``("all",)`` means every one.
        except_importers, except_exporters, except_sectors: names taken out of the selection.
        source: where the number comes from, or ``"assumption"``; empty when not given.
    """

    kind: ClassVar[str] = "change"

    action: Action
    value: float
    importers: tuple[str, ...] = ALL
    exporters: tuple[str, ...] = ALL
    sectors: tuple[str, ...] = ALL
    except_importers: tuple[str, ...] = ()
    except_exporters: tuple[str, ...] = ()
    except_sectors: tuple[str, ...] = ()
    source: str = ""

    @property
    def sets_level(self) -> bool:
        return self.action == "set_percent"

    @property
    def instrument(self) -> str:
        """The Policy instrument this change moves: ``tariffs`` or ``trade_cost_hat``."""
        return "trade_cost_hat" if self.action == "trade_cost_points" else "tariffs"

    @property
    def summary(self) -> str:
        """The action in words: ``+25 points``, ``set to 10%``, ``x 0.5``."""
        if self.action == "add_points":
            return f"{self.value:+g} points"
        if self.action == "set_percent":
            return f"set to {self.value:g}%"
        if self.action == "trade_cost_points":
            return f"trade costs {self.value:+g} points"
        return f"x {self.value:g}"

    def cells(self, world: World, where: str) -> np.ndarray:
        """(N, N, S) mask of the tariffs this change touches (never own cells)."""
        return cell_mask(
            world, where, importers=self.importers, exporters=self.exporters, sectors=self.sectors,
            except_importers=self.except_importers, except_exporters=self.except_exporters,
            except_sectors=self.except_sectors,
        )

    def after(self, current: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        """The whole cube as this change would make it (callers keep only ``cells``): tariffs as
        fractions, or trade-cost changes d_hat for ``trade_cost_points``."""
        if self.action == "trade_cost_points":
            return current * (1 + self.value / 100.0)
        if self.action == "add_points":
            return current + self.value / 100.0
        if self.action == "set_percent":
            return np.full_like(current, self.value / 100.0)
        return current * self.value


@dataclass(frozen=True)
class Agreement(_Numbered):
    """One ``[[agreement]]`` table: members cut the baseline tariffs they levy on each other.

    Attributes:
        number: position among the file's ``[[agreement]]`` tables, from 1.
        description: plain-language statement of the agreement.
        members: the countries in the agreement (at least two).
        sectors: sectors covered (default all); ``except_sectors`` are left out.
        cut: fraction of the baseline tariff removed: 1.0 (default) removes it, 0.5 halves it.
        source: where the terms come from, or ``"assumption"``.
    """

    kind: ClassVar[str] = "agreement"
    sets_level: ClassVar[bool] = True
    instrument: ClassVar[str] = "tariffs"

    members: tuple[str, ...]
    sectors: tuple[str, ...] = ALL
    except_sectors: tuple[str, ...] = ()
    cut: float = 1.0
    source: str = ""

    @property
    def summary(self) -> str:
        """The action in words: ``tariffs removed`` or ``tariffs cut by 50%``."""
        return "tariffs removed" if self.cut == 1.0 else f"tariffs cut by {100 * self.cut:g}%"

    def cells(self, world: World, where: str) -> np.ndarray:
        """(N, N, S) mask of the tariffs members levy on each other in the covered sectors."""
        return cell_mask(world, where, importers=self.members, exporters=self.members,
                         sectors=self.sectors, except_sectors=self.except_sectors, country_key="members")

    def after(self, current: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        """The baseline cut by ``cut`` (an agreement states a level relative to the baseline)."""
        return baseline * (1.0 - self.cut)


Step = TariffChange | Agreement
