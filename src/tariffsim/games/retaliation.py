"""One country against the world, and the world's answer (issue 13 item 3).

- ``optimal_against_world``: a country's optimal tariffs (uniform, MFN or discriminatory) with every
  other country keeping its tariffs: the stacked system of ``world_nash`` with one player, verified the
  same way (equilibrium re-solved, first-order residual, the existing engine re-optimising it).
- ``optimal_retaliation``: the country sets its tariffs first (its optimum against passive partners, or
  tariffs given in the cube, such as a scenario's), then every other country (or the chosen responders)
  answers with its own optimum against those tariffs and one another's: a Nash war among the responders
  in which the first country keeps its tariffs. Both stages are verified wars.

A war within a coalition (US against China, the rest passive) is ``world_nash(players=[...])`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tariffsim.errors import OptionError
from tariffsim.games.world_nash import Mode, WorldNash, world_nash
from tariffsim.models import Calibration


def optimal_against_world(calibration: Calibration, country: str, *, mode: Mode = "uniform",
                          tariffs: np.ndarray | None = None, **options) -> WorldNash:
    """``country``'s optimal tariffs with every other country's tariffs as in ``tariffs`` (default: the
    world's): a one-player ``world_nash`` (same options; its ``tariffs`` are the country's (1,), (1, S) or
    (1, N, S) optimum, ``welfare_hat`` every country's (N,) real-income change)."""
    return world_nash(calibration, mode=mode, players=[country], tariffs=tariffs, check="all", **options)


@dataclass(frozen=True)
class Retaliation:
    """The first country's tariffs and the others' optimal answer.

    Attributes:
        country: the first mover's code.
        first: its optimum against passive partners (a one-player war), or None when its tariffs were given.
        response: the Nash war of the responders against the first mover's tariffs (its ``cube`` is the
            final tariff cube; every number after retaliation comes from its verified equilibrium).
    """

    country: str
    first: WorldNash | None
    response: WorldNash

    def to_frame(self):
        """Countries in rows: tariff % and welfare % before and after the retaliation (welfare relative to
        the calibration's baseline; tariff % import-weighted at baseline imports)."""
        import pandas as pd

        after = self.response.to_frame()
        columns = {}
        if self.first is not None:
            before = self.first.to_frame()
            columns = {"tariff % (first)": before["tariff %"], "welfare % (first)": before["welfare %"]}
        columns |= {"tariff %": after["tariff %"], "welfare %": after["welfare %"],
                    "role": ["first mover" if c == self.country else ("responder" if p else "")
                             for c, p in zip(after.index, after["player"], strict=True)],
                    "note": after["note"]}
        return pd.DataFrame(columns, index=after.index)

    def facts(self) -> dict:
        """Both stages' verification (the first is None when the first mover's tariffs were given)."""
        return {"country": self.country, "first": None if self.first is None else self.first.facts(),
                "response": self.response.facts()}


def optimal_retaliation(calibration: Calibration, country: str, *, mode: Mode = "uniform",
                        tariffs: np.ndarray | None = None, given: bool = False,
                        responders: Sequence[str] | str | None = None, check: int | str | Sequence[str] = 8,
                        **options) -> Retaliation:
    """``country`` moves first, the responders answer optimally (a verified Nash war among them).

    Args:
        calibration: the calibrated world (its baseline is every welfare change's reference).
        country: the first mover (name, code).
        mode: ``uniform``, ``mfn`` or ``discriminatory``: the instruments of both stages.
        tariffs: (N,N,S) the tariff cube to start from (default: the world's).
        given: the first mover's tariffs are those in ``tariffs`` (a scenario's, say) and are not optimised;
            default False: it first sets its optimum against passive partners.
        responders: who answers (default: every other country); the first mover may not be one.
        check: players re-optimised in the responders' war (see ``world_nash``).
        options: further ``world_nash`` options (bounds, net_exports, tolerances, on_progress).
    Raises OptionError for a first mover among the responders; ConvergenceError as ``world_nash``.
    """
    world = calibration.world
    first_index = world.country_indices([country])[0]
    code = world.countries[first_index]
    answer = ([c for c in world.countries if c != code] if responders is None
              else [world.countries[k] for k in world.country_indices(responders)])
    if code in answer:
        raise OptionError(f"{code} moves first and cannot also be among the responders; leave it out of them")
    first = None if given else optimal_against_world(calibration, code, mode=mode, tariffs=tariffs, **options)
    cube = tariffs if first is None else first.cube
    response = world_nash(calibration, mode=mode, players=answer, tariffs=cube, check=check, **options)
    return Retaliation(code, first, response)
