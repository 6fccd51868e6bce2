"""The baseline world economy: names plus trade, tariff and elasticity arrays.

Array conventions (used everywhere in tariffsim):

- ``trade[i, j, s]``: value of sector-``s`` goods shipped from exporter ``i`` to importer ``j`` at
  world (pre-tariff) prices, in data units (e.g. US$ million). ``trade[i, i, s]`` is domestic sales.
- ``tariffs[i, j, s]``: ad-valorem tariff that importer ``j`` levies on sector-``s`` goods from
  exporter ``i`` as a fraction (0.25 = 25%); ``tariffs[i, i, s] == 0``.
- ``sigma[s]``: elasticity of substitution between varieties of sector ``s`` (> 1).

A ``World`` is immutable: its arrays are read-only copies, and every transformation returns a new
world. Net exports are not stored: they follow from the flows (exports minus imports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from tariffsim import _lookup
from tariffsim._validate import Problem, describe, shape_problems, value_problems
from tariffsim.errors import DataValidationError, UnknownNameError


def frozen_array(array: np.ndarray | Sequence[float]) -> np.ndarray:
    """A read-only float64 copy (arrays held by immutable objects)."""
    out = np.array(array, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class World:
    """A baseline economy of N countries and S sectors.

    Attributes:
        countries: N short codes (``"JPN"``); users may also use ``country_names`` or aliases.
        sectors: S short codes (``"mvh"``).
        trade: (N, N, S) flows at world prices, exporter x importer x sector, data units.
        tariffs: (N, N, S) ad-valorem tariffs set by the importer, fractions.
        sigma: (S,) elasticities of substitution, all > 1.
        country_names, sector_names: long names (default: the codes).
        sector_groups: group name -> sector codes, e.g. ``{"agriculture": ("ric", "wht", ...)}``.
        country_aliases: extra names for countries, alias -> code (``{"US": "USA"}``).
        country_groups: group name -> country codes, e.g. ``{"EU27": ("AUT", "BEL", ...)}`` (members as
            of the data year), usable wherever a list of countries is asked for.
        label: a short description of where the data come from.
        elasticities: published elasticity sets the data came with, set name -> (S,) sigma (the
            tariffwar cubes carry eight); ``with_elasticity(name)`` makes one the world's ``sigma``.
        elasticity: the name of the set ``sigma`` comes from ("" when the data have one, unnamed).
        year: the data year (None when unknown).
        money_unit: US$ million per data unit (1.0 for data in US$ million, the world cubes and ossa2014;
            0.001 for ilms2025, in thousand US$): reports show money as data units x money_unit.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    trade: np.ndarray
    tariffs: np.ndarray
    sigma: np.ndarray
    country_names: tuple[str, ...] = ()
    sector_names: tuple[str, ...] = ()
    sector_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    country_aliases: Mapping[str, str] = field(default_factory=dict)
    country_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    label: str = ""
    elasticities: Mapping[str, np.ndarray] = field(default_factory=dict)
    elasticity: str = ""
    year: int | None = None
    money_unit: float = 1.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "countries", _names("countries", self.countries))
        set_(self, "sectors", _names("sectors", self.sectors))
        set_(self, "trade", _real_array("trade", self.trade))
        set_(self, "tariffs", _real_array("tariffs", self.tariffs))
        set_(self, "sigma", _real_array("sigma", self.sigma))
        set_(self, "country_names", _names("country_names", self.country_names) or self.countries)
        set_(self, "sector_names", _names("sector_names", self.sector_names) or self.sectors)
        _check_name_lengths(self.countries, self.sectors, self.country_names, self.sector_names)
        set_(self, "sector_groups", {g: tuple(m) for g, m in self.sector_groups.items()})
        set_(self, "country_aliases", dict(self.country_aliases))
        set_(self, "country_groups", {str(g): tuple(m) for g, m in self.country_groups.items()})
        _check_country_groups(self)
        set_(self, "elasticities", {str(k): _real_array(f"elasticities[{k!r}]", v) for k, v in self.elasticities.items()})
        _check_elasticities(self)
        if not (isinstance(self.money_unit, int | float) and np.isfinite(self.money_unit) and self.money_unit > 0):
            raise DataValidationError(f"World(money_unit={self.money_unit!r}): give US$ million per data unit, a "
                                      "positive number (1.0 for data in US$ million, 0.001 for thousand US$)")
        set_(self, "money_unit", float(self.money_unit))
        check_arrays(self.trade, self.tariffs, self.sigma, self.countries, self.sectors,
                     country_names=self.country_names, sector_names=self.sector_names)
        for group, members in self.sector_groups.items():
            for member in members:
                if member not in self.sectors:
                    raise DataValidationError(
                        f"sector group {group!r} names unknown sector {member!r}."
                        f"{_lookup.suggest(member, self.sectors)} Fix the group definition."
                    )
            if group in self.sectors:
                raise DataValidationError(
                    f"sector group {group!r} has the same name as a sector; rename the group"
                )

    # ----------------------------------------------------------------------------- sizes and totals
    @property
    def n_countries(self) -> int:
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @cached_property
    def expenditure(self) -> np.ndarray:
        """(N,) tariff-inclusive spending of each importer, data units."""
        return np.einsum("ijs->j", (1 + self.tariffs) * self.trade)

    @cached_property
    def foreign_trade(self) -> np.ndarray:
        """(N, N, S) the flows with the domestic cells X[i, i, s] set to exactly 0 (cross-border only)."""
        from tariffsim.equilibrium import foreign  # equilibrium imports World

        out = foreign(self.trade)
        out.setflags(write=False)
        return out

    @cached_property
    def exports(self) -> np.ndarray:
        """(N,) sales to other countries at world prices (cross-border cells only: exactly 0 without any)."""
        return self.foreign_trade.sum(axis=(1, 2))

    @cached_property
    def imports(self) -> np.ndarray:
        """(N,) purchases from other countries at world prices, before tariffs (cross-border cells only:
        exactly 0 without any)."""
        return self.foreign_trade.sum(axis=(0, 2))

    @cached_property
    def domestic_sales(self) -> np.ndarray:
        """(N,) sum over sectors of X[i, i, s]."""
        idx = np.arange(self.n_countries)
        return self.trade[idx, idx, :].sum(axis=1)

    @cached_property
    def net_exports(self) -> np.ndarray:
        """(N,) exports minus imports at world prices (the model's NX_i)."""
        return self.exports - self.imports

    @cached_property
    def tariff_revenue(self) -> np.ndarray:
        """(N,) tariff revenue collected by each importer, data units."""
        return np.einsum("ijs,ijs->j", self.tariffs, self.trade)

    @cached_property
    def mean_tariff(self) -> np.ndarray:
        """(N, S) import-weighted mean tariff of importer j in sector s (NaN where j imports nothing)."""
        foreign = self.foreign_trade
        imports = foreign.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(imports > 0, np.einsum("ijs,ijs->js", foreign, self.tariffs) / imports, np.nan)

    # ------------------------------------------------------------------------------- name lookups
    @cached_property
    def _country_lookup(self) -> dict[str, int]:
        return _lookup.name_index("country", self.countries, self.country_names, self.country_aliases)

    @cached_property
    def _sector_lookup(self) -> dict[str, int]:
        return _lookup.name_index("sector", self.sectors, self.sector_names)

    def country_index(self, name: str) -> int:
        """Position of a country given by code, long name or alias (any case)."""
        return _lookup.resolve("country", name, self._country_lookup, self.countries, self.country_names)

    def country_indices(self, names: str | Iterable[str]) -> list[int]:
        """Positions of several countries (codes, names, aliases or ``country_groups``, e.g. ``EU27``);
        ``"all"`` means every country."""
        names = [names] if isinstance(names, str) else list(names)
        if [n.lower() for n in names] == ["all"]:
            return list(range(self.n_countries))
        groups = {g.lower(): members for g, members in self.country_groups.items()}
        positions: list[int] = []
        for name in names:
            members = groups.get(str(name).strip().lower(), [name])
            positions.extend(k for k in map(self.country_index, members) if k not in positions)
        return positions

    def sector_indices(self, names: str | Iterable[str]) -> list[int]:
        """Positions of sectors given by code, long name or group name; ``"all"`` is every sector."""
        names = [names] if isinstance(names, str) else list(names)
        positions: list[int] = []
        for name in names:
            key = str(name).strip()
            if key.lower() == "all":
                members = range(self.n_sectors)
            elif key in self.sector_groups:
                members = [self.sectors.index(m) for m in self.sector_groups[key]]
            elif key.lower() in self._sector_lookup:
                members = [self._sector_lookup[key.lower()]]
            else:
                candidates = list(self.sectors) + list(self.sector_groups)
                raise UnknownNameError(
                    f"unknown sector or sector group {name!r}.{_lookup.suggest(key, candidates)}"
                    f" Sectors: {', '.join(self.sectors)}."
                    + (f" Groups: {', '.join(self.sector_groups)}." if self.sector_groups else "")
                )
            positions.extend(m for m in members if m not in positions)
        return positions

    # ---------------------------------------------------------------------------- transformations
    def replace(self, **changes: object) -> World:
        """A new world with some fields replaced (validated again)."""
        fields = {
            "countries": self.countries, "sectors": self.sectors, "trade": self.trade,
            "tariffs": self.tariffs, "sigma": self.sigma, "country_names": self.country_names,
            "sector_names": self.sector_names, "sector_groups": self.sector_groups,
            "country_aliases": self.country_aliases, "country_groups": self.country_groups, "label": self.label,
            "elasticities": self.elasticities, "elasticity": self.elasticity, "year": self.year,
            "money_unit": self.money_unit,
        }
        _lookup.refuse_unknown_fields("World", changes, list(fields))
        fields.update(changes)
        return World(**fields)  # type: ignore[arg-type]

    def with_elasticity(self, name: str) -> World:
        """The same world with ``sigma`` from the elasticity set ``name`` (one of ``elasticities``)."""
        if name not in self.elasticities:
            have = ", ".join(self.elasticities) or "none besides its own sigma"
            raise DataValidationError(f"{self.label or 'this world'} has no elasticity set {name!r} (sets: {have}); "
                                      "fix: choose one of those")
        return self.replace(sigma=self.elasticities[name], elasticity=name)

    def with_tariffs(self, tariffs: np.ndarray) -> World:
        """The same world with another (N, N, S) tariff cube."""
        return self.replace(tariffs=tariffs)

    def with_trade(self, trade: np.ndarray) -> World:
        """The same world with other (N, N, S) flows (e.g. purged of trade imbalances)."""
        return self.replace(trade=trade)

    def select(self, countries: Iterable[str] | None = None, sectors: Iterable[str] | None = None) -> World:
        """A sub-world with only the given countries and/or sectors (names, codes or groups).

        Flows to and from dropped countries, and dropped sectors, are discarded, so expenditure and
        net exports of the remaining countries change; use ``aggregate_countries`` to keep them.
        """
        ci = self.country_indices(countries) if countries is not None else list(range(self.n_countries))
        si = self.sector_indices(sectors) if sectors is not None else list(range(self.n_sectors))
        kept = [self.sectors[s] for s in si]
        groups = {g: tuple(m for m in ms if m in kept) for g, ms in self.sector_groups.items()}
        codes = [self.countries[i] for i in ci]
        return self.replace(
            countries=codes,
            sectors=kept,
            trade=self.trade[np.ix_(ci, ci, si)],
            tariffs=self.tariffs[np.ix_(ci, ci, si)],
            sigma=self.sigma[si],
            elasticities={name: values[si] for name, values in self.elasticities.items()},
            country_names=[self.country_names[i] for i in ci],
            sector_names=[self.sector_names[s] for s in si],
            sector_groups={g: ms for g, ms in groups.items() if ms},
            country_aliases={a: c for a, c in self.country_aliases.items() if c in codes},
            country_groups={g: kept_members for g, ms in self.country_groups.items()
                            if (kept_members := tuple(m for m in ms if m in codes))},
        )

    def aggregate_sectors(
        self,
        mapping: Mapping[str, Iterable[str]],
        sigma: Mapping[str, float] | None = None,
    ) -> World:
        """Merge sectors: ``{"new_code": ["old", ...]}``; sectors not named keep their identity.

        Flows add up; tariffs are flow-weighted means (so tariff revenue is unchanged); sigma of a
        merged sector is the world-trade-weighted mean of its members unless given in ``sigma``; each
        elasticity set is merged the same way.
        """
        groups = self._partition(mapping, self.sectors, self.sector_indices, "sector")
        weights = self.trade.sum(axis=(0, 1))

        def merged(values: np.ndarray, given: Mapping[str, float] | None = None) -> list[float]:
            return [float(given[code]) if given and code in given
                    else float(np.average(values[members], weights=weights[members])) if weights[members].sum() > 0
                    else float(values[members].mean()) for code, members in groups]

        new_sigma = merged(self.sigma, sigma)
        trade, tariffs = _merge_axis(self.trade, self.tariffs, [m for _, m in groups], axis=2)
        codes = [c for c, _ in groups]
        names = [self.sector_names[m[0]] if len(m) == 1 else c for c, m in groups]
        old_to_new = {self.sectors[k]: c for c, m in groups for k in m}
        new_groups = {
            g: tuple(dict.fromkeys(old_to_new[m] for m in ms)) for g, ms in self.sector_groups.items()
            if g not in codes
        }
        return self.replace(sectors=codes, sector_names=names, trade=trade, tariffs=tariffs,
                            sigma=new_sigma, sector_groups=new_groups,
                            elasticities={name: merged(values) for name, values in self.elasticities.items()},
                            elasticity=self.elasticity if not sigma else "")

    def aggregate_countries(self, mapping: Mapping[str, Iterable[str]]) -> World:
        """Merge countries: ``{"NAFTA": ["USA", "CAN", "MEX"]}``; others keep their identity.

        Flows add up (trade among members becomes domestic sales of the merged region); tariffs on
        the merged region's external flows are flow-weighted means; tariffs among members are dropped.
        When countries merge, the label says so: "ICIO 2022 (...) aggregated to 7 regions".
        """
        groups = self._partition(mapping, self.countries, self.country_indices, "country")
        members = [m for _, m in groups]
        trade, tariffs = _merge_axis(self.trade, self.tariffs, members, axis=0)
        trade, tariffs = _merge_axis(trade, tariffs, members, axis=1)
        idx = np.arange(len(groups))
        tariffs[idx, idx, :] = 0.0
        codes = [c for c, _ in groups]
        names = [self.country_names[m[0]] if len(m) == 1 else c for c, m in groups]
        old_to_new = {self.countries[k]: c for c, m in groups for k in m}
        members_of = {c: {self.countries[k] for k in m} for c, m in groups}
        new_groups = {}
        for group, old in self.country_groups.items():  # kept only where it is a union of whole new countries
            new = tuple(dict.fromkeys(old_to_new[m] for m in old))
            if group not in codes and set().union(*(members_of[c] for c in new)) == set(old):
                new_groups[group] = new
        merged = any(len(m) > 1 for _, m in groups)
        return self.replace(countries=codes, country_names=names, trade=trade, tariffs=tariffs,
                            country_aliases={a: c for a, c in self.country_aliases.items() if c in codes},
                            country_groups=new_groups,
                            label=aggregated_label(self.label, f"{len(codes)} regions") if merged else self.label)

    @staticmethod
    def _partition(mapping, codes, indices, kind) -> list[tuple[str, list[int]]]:
        assigned: dict[int, str] = {}
        for new, olds in mapping.items():
            for k in indices(olds):
                if k in assigned:
                    raise DataValidationError(
                        f"{kind} {codes[k]!r} is assigned to both {assigned[k]!r} and {new!r}; "
                        f"give each {kind} to one aggregate only"
                    )
                assigned[k] = new
        groups: dict[str, list[int]] = {}
        for k, code in enumerate(codes):
            groups.setdefault(assigned.get(k, code), []).append(k)
        return list(groups.items())

    def __repr__(self) -> str:
        return (f"World({self.label or 'unnamed'}: {self.n_countries} countries x {self.n_sectors} sectors, "
                f"countries={list(self.countries)})")


def _merge_axis(trade: np.ndarray, tariffs: np.ndarray, groups: list[list[int]], axis: int):
    """Sum flows over index groups along ``axis``; tariffs become flow-weighted means."""
    revenue = trade * tariffs
    new_trade = np.stack([trade.take(g, axis=axis).sum(axis=axis) for g in groups], axis=axis)
    new_revenue = np.stack([revenue.take(g, axis=axis).sum(axis=axis) for g in groups], axis=axis)
    simple = np.stack([tariffs.take(g, axis=axis).mean(axis=axis) for g in groups], axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        new_tariffs = np.where(new_trade > 0, new_revenue / new_trade, simple)
    return new_trade, new_tariffs


_SIZES = re.compile(r"(\s+aggregated to .*|[:,]\s*\d+ (economies|countries|regions) x \d+ sectors?)$")
"""The end of a label that states its world's size (": 81 economies x 28 sectors"), or an earlier aggregation."""


def aggregated_label(label: str, what: str) -> str:
    """``label`` of a world aggregated to ``what``: "ICIO 2022 (...): 81 economies x 28 sectors" -> "ICIO 2022
    (...) aggregated to 7 regions" (the old size, or an earlier aggregation, is dropped)."""
    base = _SIZES.sub("", label.strip()).strip()
    return f"{base} aggregated to {what}" if base else f"aggregated to {what}"


def check_arrays(trade, tariffs, sigma, countries, sectors, *, locate=None, header=None,
                 country_names=None, sector_names=None) -> None:
    """Raise DataValidationError listing every problem, located by ``locate`` (default: by names)."""
    trade, tariffs, sigma = (_real_array(f, a, freeze=False) for f, a in
                             (("trade", trade), ("tariffs", tariffs), ("sigma", sigma)))
    problems = shape_problems(trade, tariffs, sigma, countries, sectors)
    if not problems:
        problems = value_problems(trade, tariffs, sigma) + _infinite_sigma(sigma)
    if problems:
        raise DataValidationError(
            describe(problems, locate or _locate_by_name(countries, sectors), header or "invalid world data")
        )


def _real_array(field_name: str, value: object, *, freeze: bool = True) -> np.ndarray:
    """``value`` as a float64 array (a read-only copy when ``freeze``); DataValidationError naming the field
    for None, complex numbers, text and other values that are not real numbers."""
    if value is None:
        raise DataValidationError(f"World({field_name}=None): {field_name} is missing; fix: give an array of numbers")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise DataValidationError(f"World({field_name}=...): not an array of numbers ({error}); fix: give a "
                                  "rectangular array of real numbers") from None
    if np.iscomplexobj(array):
        raise DataValidationError(
            f"World({field_name}=...): complex numbers (dtype {array.dtype}); fix: give real numbers, e.g. "
            f"{field_name}.real when the imaginary parts are zero"
        )
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise DataValidationError(f"World({field_name}=...): not an array of numbers (dtype {array.dtype}: it "
                                      "holds text or other objects); fix: give real numbers") from None
        if np.iscomplexobj(array):  # pragma: no cover - astype(float64) never yields complex
            raise DataValidationError(f"World({field_name}=...): complex numbers; fix: give real numbers")
    return frozen_array(array) if freeze else np.asarray(array, dtype=np.float64)


def _names(field_name: str, value: object) -> tuple[str, ...]:
    """A tuple of names (text); DataValidationError for a bare string or a value that is not a list."""
    if isinstance(value, str):
        raise DataValidationError(f"World({field_name}={value!r}): a single text, not a list of names; fix: give "
                                  f"a list, e.g. {field_name}=[{value!r}]")
    try:
        return tuple(str(v) for v in value)  # type: ignore[union-attr]
    except TypeError:
        raise DataValidationError(f"World({field_name}={value!r}): not a list of names; fix: give a list or "
                                  "tuple of text") from None


def _check_name_lengths(countries, sectors, country_names, sector_names) -> None:
    """One long name per country and per sector (or none: the codes are used)."""
    for field_name, names, codes, kind in (("country_names", country_names, countries, "countries"),
                                           ("sector_names", sector_names, sectors, "sectors")):
        if len(names) != len(codes):
            raise DataValidationError(
                f"World({field_name}=...): {len(names)} names for {len(codes)} {kind} ({', '.join(codes[:10])}"
                f"{', ...' if len(codes) > 10 else ''}); fix: give one name per code, in the same order, or "
                f"leave {field_name} out to use the codes"
            )


def _check_country_groups(world: World) -> None:
    """Each country group names known countries and is not itself a country's code, name or alias."""
    for group, members in world.country_groups.items():
        if group.lower() in world._country_lookup:
            raise DataValidationError(f"country group {group!r} has the same name as a country; rename the group")
        for member in members:
            if member not in world.countries:
                raise DataValidationError(f"country group {group!r} names unknown country {member!r}."
                                          f"{_lookup.suggest(member, world.countries)} Fix the group definition.")


def _check_elasticities(world: World) -> None:
    """Every elasticity set has one sigma > 1 per sector; a named ``elasticity`` is one of the sets."""
    for name, sigma in world.elasticities.items():
        if sigma.shape != (world.n_sectors,) or not np.all(np.isfinite(sigma) & (sigma > 1)):
            raise DataValidationError(f"World(elasticities[{name!r}]): need {world.n_sectors} finite values above 1, "
                                      f"one per sector (got shape {sigma.shape}); fix: give sigma = epsilon + 1 per sector")
    if world.elasticities and world.elasticity and world.elasticity not in world.elasticities:
        raise DataValidationError(f"World(elasticity={world.elasticity!r}): not one of the sets "
                                  f"{', '.join(world.elasticities)}; fix: name one of them")


def _infinite_sigma(sigma: np.ndarray) -> list[Problem]:
    """sigma = inf describes no economy (prices would not matter at all): refuse it with the fix."""
    return [Problem("elasticity of substitution is infinite", ("sigma", int(s)), sigma[s].item(),
                    "use a finite sigma above 1 (e.g. 5; the largest estimates are about 20)")
            for s in np.nonzero(np.isinf(sigma))[0]]


def _locate_by_name(countries, sectors):
    def locate(cell) -> str:
        kind, *index = cell
        if kind in ("trade", "tariff"):
            i, j, s = index
            return f"{kind}[exporter {countries[i]}, importer {countries[j]}, sector {sectors[s]}]"
        if kind == "sigma":
            return f"sigma[sector {sectors[index[0]]}]"
        if kind == "country":
            return f"country {countries[index[0]]}"
        return f"sector {sectors[index[0]]}"

    return locate
