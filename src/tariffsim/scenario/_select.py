"""Turn the "who" of a scenario step (importers, exporters, sectors, exceptions) into tariff cells."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

import warnings

from tariffsim.country_groups import country_group_note
from tariffsim.errors import ScenarioError, ScenarioWarning, UnknownNameError
from tariffsim.sector_groups import approximation_note
from tariffsim.world import World

ALL: tuple[str, ...] = ("all",)


def cell_mask(
    world: World,
    where: str,
    *,
    importers: tuple[str, ...],
    exporters: tuple[str, ...],
    sectors: tuple[str, ...],
    except_importers: tuple[str, ...] = (),
    except_exporters: tuple[str, ...] = (),
    except_sectors: tuple[str, ...] = (),
    country_key: str | None = None,
) -> np.ndarray:
    """(N, N, S) boolean mask of the cells ``[exporter, importer, sector]`` a step touches.

    Own cells (exporter == importer) are never selected. Raises ScenarioError, prefixed with
    ``where``, for unknown names and for a selection that is empty. ``country_key`` is the file's
    key for importers and exporters when one list names both (an agreement's ``members``).
    """
    chosen = {
        "importers": _kept(world.country_indices, where, country_key or "importers", importers,
                           "except_importers", except_importers),
        "exporters": _kept(world.country_indices, where, country_key or "exporters", exporters,
                           "except_exporters", except_exporters),
        "sectors": _kept(world.sector_indices, where, "sectors", sectors, "except_sectors", except_sectors),
    }
    _warn_approximate(world, where, importers + exporters + except_importers + except_exporters,
                      sectors + except_sectors)
    mask = np.zeros(world.tariffs.shape, dtype=bool)
    mask[np.ix_(chosen["exporters"], chosen["importers"], chosen["sectors"])] = True
    own = np.arange(world.n_countries)
    mask[own, own, :] = False
    if country_key is not None:
        _refuse_one_country_twice(world, where, country_key, importers)
    if not mask.any():
        same = ", ".join(dict.fromkeys(world.countries[k] for k in chosen["importers"]))
        raise ScenarioError(
            f"{where}: selects no tariff: the only importer and exporter left is {same}, and a "
            "country never levies tariffs on its own goods. Name different importers and exporters."
        )
    return mask


def _warn_approximate(world: World, where: str, countries: tuple[str, ...], sectors: tuple[str, ...]) -> None:
    """A ScenarioWarning for each group name that means something only approximately in this world
    (``mvh`` on WIOD is all transport equipment; ``BRICS`` on WIOD lacks South Africa)."""
    notes = [(name, country_group_note(world, name)) for name in dict.fromkeys(countries)]
    notes += [(name, approximation_note(world, name)) for name in dict.fromkeys(sectors)]
    for name, note in notes:
        if note:
            warnings.warn(f"{where}: {name!r} is approximate in {world.label or 'this world'}: {note}",
                          ScenarioWarning, stacklevel=2)


def _kept(
    indices: Callable[[Iterable[str]], list[int]],
    where: str,
    key: str,
    names: tuple[str, ...],
    except_key: str,
    except_names: tuple[str, ...],
) -> list[int]:
    """Positions named under ``key`` minus those under ``except_key``; an empty result is an error."""
    removed = set(_resolve(indices, where, except_key, except_names))
    kept = [k for k in _resolve(indices, where, key, names) if k not in removed]
    if not kept:
        raise ScenarioError(
            f"{where}: selects no tariff: {key} = {list(names)} minus {except_key} = {list(except_names)} "
            f"leaves nothing. Shorten {except_key} or widen {key}."
        )
    return kept


def _resolve(
    indices: Callable[[Iterable[str]], list[int]], where: str, key: str, names: tuple[str, ...]
) -> list[int]:
    try:
        return indices(names)
    except UnknownNameError as error:
        raise ScenarioError(f"{where}: {key} = {list(names)}: {error}") from error


def _refuse_one_country_twice(world: World, where: str, key: str, names: tuple[str, ...]) -> None:
    """Refuse a list (an agreement's ``members``) that names fewer than two countries because it names one
    twice under two names (``["USA", "US"]``); a repeated name beside two other countries does no harm."""
    if names == ALL:
        return
    denoted: dict[int, list[str]] = {}
    for name in names:
        denoted.setdefault(world.country_index(name), []).append(name)
    if len(denoted) > 1:
        return
    (position, spelled), = denoted.items()
    code = world.countries[position]
    other = next((c for c in world.countries if c != code), "...")
    both = " and ".join(repr(n) for n in spelled)
    raise ScenarioError(
        f"{where}: {key} = {list(names)}: {both} denote the same country, {code} ({world.country_names[position]}),"
        f" so the agreement has one member; name at least two different countries, e.g. {key} = "
        f"[\"{code}\", \"{other}\"]"
    )
