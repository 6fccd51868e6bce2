"""Tariff schedules of the ILMS (2025) experiments and the spec's experiments as (model, policy)
(MODEL_ILMS2025.md §6-§8, §11.3).

Schedules are (N, N, 1) tariff cubes t[j, i, 0] (importer i on exporter j) for ``Policy``:

- ``us_tariffs``: US import tariffs from the announced rates (or one rate), with changes by country or
  country group, e.g. ``us_tariffs(world, data.announced, {"EU": 0.2, "CHN": 1.45})``;
- ``reciprocal``: the home country's partners mirror the tariff they face (B6, IO3);
- ``retaliation``: every partner levies one rate on the home country's goods (B5, B7, D3, D4);
- ``trade_war``: tariffs both ways between the home country and each partner (R1-R3);
- ``optimal_tariff`` and ``optimal_retaliation_tariff``: the paper's closed-form rates (B4, B5, B7);
- IO2 and IO4: the paper's MPEC optima, found by the game engine (``tariffsim.ilms_games.mpec_us_rate``
  and ``joint_retaliation``).

``spec_experiment(id, data)`` gives the spec's experiment ``id`` (``EXPERIMENTS``) as a model, its
calibration and the policy; D2 and D4 also carry the reference policy (zero tariffs) whose results the
paper subtracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim.errors import OptionError
from tariffsim.ilms_data import HOME, IlmsData
from tariffsim.models.base import Calibration
from tariffsim.models.ilms import Ilms
from tariffsim.policy import Policy
from tariffsim.world import World

EU25 = ("AUT", "BEL", "BGR", "CYP", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN", "IRL", "ITA", "LTU",
        "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVN", "SWE")
"""The code's ``id_EU``: the EU without CZE and SVK [QUIRK §1]; used by R1 (and the tables' EU rows)."""


def _cube(world: World) -> np.ndarray:
    return np.zeros((world.n_countries, world.n_countries, 1))


def _partners(world: World, home: int) -> np.ndarray:
    return np.delete(np.arange(world.n_countries), home)


def us_tariffs(world: World, rates: pd.Series | float, changes: Mapping[str, float] | None = None,
               importer: str = HOME) -> np.ndarray:
    """(N, N, 1) tariffs of ``importer`` only: t[j, importer] = ``rates[j]`` (a Series by ISO3 code, e.g.
    ``IlmsData.announced``, or one rate for every exporter), then ``changes`` (country codes, names or
    groups of ``world.country_groups`` such as ``EU`` -> rate; applied in order). Zero elsewhere."""
    home = world.country_index(importer)
    t = _cube(world)
    if isinstance(rates, pd.Series):
        missing = sorted(set(world.countries) - set(rates.index))
        if missing:
            raise OptionError(f"the tariff rates have no entry for {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}; give one rate per exporter (ISO3 index)")
        t[:, home, 0] = rates.reindex(list(world.countries)).to_numpy(dtype=float)
    else:
        t[:, home, 0] = float(rates)
    for name, rate in (changes or {}).items():
        t[world.country_indices(name), home, 0] = rate
    t[home, home, 0] = 0.0
    return t


def reciprocal(world: World, tariffs: np.ndarray, country: str = HOME) -> np.ndarray:
    """``tariffs`` with t[country, i] = t[i, country] for every i: each partner mirrors the tariff it faces."""
    home = world.country_index(country)
    out = np.array(tariffs, dtype=float, copy=True)
    out[home, :, :] = out[:, home, :]
    out[home, home, :] = 0.0
    return out


def retaliation(world: World, tariffs: np.ndarray, rate: float, country: str = HOME) -> np.ndarray:
    """``tariffs`` with every partner levying ``rate`` on goods from ``country``."""
    home = world.country_index(country)
    out = np.array(tariffs, dtype=float, copy=True)
    out[home, _partners(world, home), :] = rate
    return out


def trade_war(world: World, partners: Mapping[str, float], others: float = 0.1, country: str = HOME) -> np.ndarray:
    """(N, N, 1) tariffs both ways between ``country`` and each partner: ``others`` for every partner, then
    ``partners`` (codes, names or groups -> rate). Zero between third countries (R1-R3)."""
    home = world.country_index(country)
    t = _cube(world)
    rest = _partners(world, home)
    t[rest, home, 0] = t[home, rest, 0] = others
    for name, rate in partners.items():
        where = [k for k in world.country_indices(name) if k != home]
        t[where, home, 0] = t[home, where, 0] = rate
    return t


def _delta_numerator(X: np.ndarray, nu: np.ndarray, i: int) -> float:
    """Σ_{n≠i} X[i,n] (1-ν_n) (1-λ[i,n]) of the optimal-tariff formulas (§6 B4)."""
    shares = X[i] / X.sum(axis=0)
    others = np.delete(np.arange(X.shape[0]), i)
    return float((X[i, others] * (1 - nu[others]) * (1 - shares[others])).sum())


def optimal_tariff(calibration: Calibration, denominator: str = "expenditure", country: str = HOME) -> float:
    """The paper's uniform optimal tariff of ``country``: 1 / ((1 + δ ε) φ - 1) with
    δ = Σ_{n≠i} X[i,n] (1-ν_n)(1-λ[i,n]) / ((1-ν_i)(D_i - X[i,i])), D = E (``"expenditure"``: B4) or Y
    (``"income"``: B7, [QUIRK §15.7])."""
    params, X = calibration.params, calibration.world.trade[:, :, 0]
    if denominator not in ("expenditure", "income"):
        raise OptionError(f"denominator={denominator!r} is not 'expenditure' (B4) or 'income' (B7)")
    i = calibration.world.country_index(country)
    nu = np.asarray(params.nu)
    level = np.asarray(params.expenditure if denominator == "expenditure" else params.income)[i]
    delta = _delta_numerator(X, nu, i) / ((1 - nu[i]) * (level - X[i, i]))
    return float(1 / ((1 + delta * params.epsilon) * params.phi[i] - 1))


def optimal_retaliation_tariff(calibration: Calibration, country: str = HOME) -> float:
    """The rest of the world's optimal tariff on ``country`` (B5): the formula of ``optimal_tariff`` for the
    rest as one region of the two-region aggregate of the filled flows, with the income denominator
    Y^a [QUIRK §15.8] and the rest's φ."""
    world, params = calibration.world, calibration.params
    home = world.country_index(country)
    rest = _partners(world, home)
    X = world.trade[:, :, 0]
    aggregate = np.zeros((2, world.n_countries))
    aggregate[0, rest], aggregate[1, home] = 1.0, 1.0
    X_a = aggregate @ X @ aggregate.T
    nu = np.asarray(params.nu)
    nu_a = np.array([nu[rest[0]], nu[home]])
    income_rest = float(np.asarray(params.income)[rest].sum())
    delta = _delta_numerator(X_a, nu_a, 0) / ((1 - nu_a[0]) * (income_rest - X_a[0, 0]))
    return float(1 / ((1 + delta * params.epsilon) * params.phi[rest[0]] - 1))


# ------------------------------------------------------------------------------ the spec's experiments
@dataclass(frozen=True)
class SpecExperiment:
    """One experiment of the spec: solve ``model`` on ``calibration`` under ``policy``; when ``reference`` is
    set (D2, D4) the paper reports the percent changes under ``policy`` minus those under ``reference``."""

    name: str
    model: Ilms
    calibration: Calibration
    policy: Policy
    reference: Policy | None = None


EXPERIMENTS: dict[str, str] = {
    "B1": "USTR tariffs, income-tax relief, no retaliation",
    "B2": "partial pass-through (0.25)",
    "B3": "Eaton-Kortum variant (nu = 0, phi = 1)",
    "B4": "optimal uniform US tariff, no retaliation",
    "B5": "USTR tariffs and optimal retaliation",
    "B6": "USTR tariffs and reciprocal retaliation",
    "B7": "optimal US tariff and optimal retaliation",
    "B8": "USTR tariffs, lump-sum rebate",
    "B9": "trade elasticity 8",
    "R1": "US trade war with the EU and China",
    "R2": "US trade war with China",
    "R3": "US trade war with China at 108%",
    "D1": "fixed transfers (Dekle et al. 2008), Eaton-Kortum, USTR",
    "D2": "balanced trade (Ossa 2014), USTR",
    "D3": "fixed transfers, Eaton-Kortum, USTR and retaliation 1/epsilon",
    "D4": "balanced trade, USTR and retaliation",
    "IO1": "input-output links, USTR",
    "IO2": "input-output links, optimal US tariff (MPEC: the per-partner optimum's last element, uniform)",
    "IO3": "input-output links, USTR and reciprocal retaliation",
    "IO4": "input-output links, USTR and jointly optimal retaliation (MPEC)",
}

_MODELS = {"B2": Ilms(pass_through=0.25), "B3": Ilms(eaton_kortum=True), "B8": Ilms(revenue_use="lump_sum"),
           "B9": Ilms(trade_elasticity=8.0), "D1": Ilms(eaton_kortum=True), "D3": Ilms(eaton_kortum=True),
           "D2": Ilms(transfers="no_us_bilateral"), "D4": Ilms(transfers="no_us_bilateral"),
           "IO1": Ilms(input_output=True), "IO2": Ilms(input_output=True), "IO3": Ilms(input_output=True),
           "IO4": Ilms(input_output=True)}


def spec_experiment(name: str, data: IlmsData) -> SpecExperiment:
    """The spec's experiment ``name`` (a key of ``EXPERIMENTS``) on ``data`` (``read_ilms_data(folder)``)."""
    key = name.upper()
    if key not in EXPERIMENTS:
        raise OptionError(f"unknown ILMS experiment {name!r}; experiments: {', '.join(EXPERIMENTS)} (MS1-MIO2 "
                          "need the absent trade_ITPD.csv)")
    if data.announced is None:
        raise OptionError("the spec's experiments need the announced US tariffs: read the data with "
                          "tariffsim.ilms_data.read_ilms_data(folder)")
    model = _MODELS.get(key, Ilms())
    calibration = model.calibrate(data)
    world = data.world
    ustr = us_tariffs(world, data.announced)
    tariffs = _tariffs(key, world, ustr, calibration, data.announced)
    reference = Policy(_cube(world), name=f"{key} reference: zero tariffs") if key in ("D2", "D4") else None
    return SpecExperiment(key, model, calibration, Policy(tariffs, name=f"{key}: {EXPERIMENTS[key]}"), reference)


def _tariffs(key: str, world: World, ustr: np.ndarray, calibration: Calibration, announced: pd.Series) -> np.ndarray:
    """The tariff cube of experiment ``key`` (§6, §7, §8, §11.3)."""
    params = calibration.params
    if key in ("B4", "B7"):
        denominator = "expenditure" if key == "B4" else "income"
        t = us_tariffs(world, optimal_tariff(calibration, denominator))
        return retaliation(world, t, optimal_retaliation_tariff(calibration)) if key == "B7" else t
    if key == "B5":
        return retaliation(world, ustr, optimal_retaliation_tariff(calibration))
    if key in ("B6", "IO3"):
        return reciprocal(world, ustr)
    if key in ("IO2", "IO4"):  # optimisations by the game engine, which imports this module
        from tariffsim import ilms_games

        if key == "IO2":
            return us_tariffs(world, ilms_games.mpec_us_rate(calibration))
        home = world.country_index(HOME)  # §11.3: from z0 = the US's own tariff on each partner
        return ilms_games.joint_retaliation(calibration, ustr, start=np.delete(ustr[:, home, 0], home)).cube
    if key in ("R1", "R2", "R3"):
        china = 1.08 if key == "R3" else float(announced["CHN"])
        partners = {"CHN": china, **({code: float(announced[code]) for code in EU25} if key == "R1" else {})}
        return trade_war(world, partners)
    if key == "D3":
        return retaliation(world, ustr, 1 / float(params.epsilon))
    if key == "D4":  # [QUIRK §15.10] the US's own φ
        phi_us = float(params.phi[world.country_index(HOME)])
        return retaliation(world, ustr, 1 / ((1 + float(params.epsilon)) * phi_us - 1))
    return ustr
