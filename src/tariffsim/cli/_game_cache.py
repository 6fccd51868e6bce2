"""Game results in the on-disk cache (tariffsim.cache), for the optimal, nash and talks commands.

A result dataclass (OptimalTariffs, TradeTalks) is stored as its array fields (``.npz``) and its other
fields (``.json``); its equilibrium is not stored but solved again at the stored tariffs when the
result is reused (one verified solve, identical to the original). Keys come from
``tariffsim.cache.fingerprint`` of everything the result depends on.

``CachedBestResponses`` is the ``map_`` handed to ``nash_tariffs(method="jacobi")``: round r's best
response of player p is stored as soon as it finishes, keyed by the run's inputs, r and p. Best-response
iteration is deterministic (the same in series and in parallel), so round r's inputs are a function
of the run's inputs and r, and an interrupted war resumes at the first best response not yet stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tariffsim.cache import Cache, fingerprint


def store(cache: Cache, key: str, result: Any, **extra: Any) -> None:
    """Store a game result dataclass (and JSON-ready ``extra`` values) under ``key``."""
    arrays, fields = {}, {}
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if field.name == "equilibrium":
            fields["policy_name"] = value.policy.name
        elif isinstance(value, np.ndarray):
            arrays[field.name] = value
        else:
            fields[field.name] = value.item() if isinstance(value, np.generic) else value
    cache.put(key, arrays, {"type": type(result).__name__, "fields": fields, "extra": extra})


def load(cache: Cache, key: str, kind: type, calibration, net_exports) -> tuple[Any, dict] | None:
    """``(result, extra)`` stored under ``key``, with its equilibrium solved again, or None."""
    from tariffsim.policy import Policy

    entry = cache.get(key)
    if entry is None:
        return None
    fields = {name: _tuples(value) for name, value in entry.meta["fields"].items()}
    policy = Policy(entry.arrays["tariffs"], net_exports, fields.pop("policy_name"))
    equilibrium = calibration.model.solve(calibration, policy)
    return kind(**fields, **entry.arrays, equilibrium=equilibrium), entry.meta["extra"]


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the result dataclasses hold."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class CachedBestResponses:
    """A ``map_`` for Jacobi rounds of ``nash_tariffs`` that stores and reuses each best response.

    Args:
        map_: the executor's map (serial or dask) used for the best responses not yet cached.
        cache: where results live (None: compute everything, store nothing).
        run_key: fingerprint of everything the war's path depends on.
        calibration, net_exports: to solve the equilibria of reused best responses again.
        on_round: ``on_round(number, total, reused)`` when a round starts (progress bars).
        on_result: called after each best response is available (reused or computed).
    """

    def __init__(self, map_: Callable, cache: Cache | None, run_key: str, calibration, net_exports,
                 on_round: Callable[[int, int, int], None], on_result: Callable[[], None]):
        self.map_, self.cache, self.run_key = map_, cache, run_key
        self.calibration, self.net_exports = calibration, net_exports
        self.on_round, self.on_result = on_round, on_result
        self.round = 0

    def __call__(self, respond: Callable, players: Sequence[str]) -> list:
        from tariffsim.games import OptimalTariffs

        self.round += 1
        players = list(players)
        keys = [fingerprint(self.run_key, self.round, player) for player in players]
        results: list[Any] = []
        for key in keys:
            found = None if self.cache is None else load(self.cache, key, OptimalTariffs, self.calibration,
                                                          self.net_exports)
            results.append(None if found is None else (found[0], found[1]["gain"]))
        missing = [k for k, result in enumerate(results) if result is None]
        self.on_round(self.round, len(players), len(players) - len(missing))
        for _ in range(len(players) - len(missing)):
            self.on_result()

        def keep(position: int, result: tuple) -> None:
            response, gain = result
            if self.cache is not None:
                store(self.cache, keys[missing[position]], response, gain=gain)
            self.on_result()

        computed = self.map_(respond, [players[k] for k in missing], on_result=keep)
        for k, result in zip(missing, computed, strict=True):
            results[k] = result
        return results
