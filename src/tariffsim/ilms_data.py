"""The baselines of the ``ilms`` model (Ignatenko, Lashkaripour, Macedoni and Simonovska 2025), as pure
functions of arrays (MODEL_ILMS2025.md §2, §3, §8, §11).

The reader ``tariffsim.io.ilms2025`` builds the paper's data (§2.1-§2.5: ν from the two-region
calibration on raw flows and WDI GDP, domestic flows from GDP with their zero floor, the announced US
tariffs with their 10% floor). This module derives what the model's variants need from a filled
matrix X (exporter x importer, domestic flows on the diagonal, pre-tariff values) and ν:

- ``baseline_flows``: spending E, income Y and transfers T = E - Y of §2.5 (the main model);
- ``eaton_kortum_flows``: the Eaton-Kortum variant (B3, D1, D3): ν = 0, Y = sales, T = E - Y;
- ``input_output_flows``: the one-sector input-output variant (§11.1), domestic flows gross of
  intermediates (divided by the value-added share β);
- ``no_us_bilateral_transfers``: the "balanced trade (Ossa 2014)" transfers of §8 (D2, D4);
- ``nu_from_flows``: ν of §2.2 computed on a filled matrix (for worlds that are not the paper's
  folder; see its docstring for how close it is);
- ``selection_elasticity``: ς of §3, so that φ = φ̃ + ς.

``IlmsData`` is what ``Ilms.calibrate`` takes besides a plain World: the world and the paper's ν
(``read_ilms_data(folder)``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim.errors import DataValidationError
from tariffsim.world import World

NU_TARGETS = (0.12, 0.26)
"""Sales-weighted mean ν met by producers of the rest of the world and of the home country (§2.2)."""
HOME = "USA"
"""The country whose ν is calibrated apart from the rest (§2.2) and whose tariffs the paper studies."""


@dataclass(frozen=True)
class IlmsData:
    """A one-sector world and the share ν of sales into each market paid to that market's labour.

    Attributes:
        world: one sector, zero tariffs; trade (N, N, 1) the filled matrix X of §2.3 (thousand US$ for
            the paper's data).
        nu: (N,) ν_i of importer i (two values: the rest of the world and the home country).
        source: how ν was found.
        announced: the US tariffs announced on 2 April 2025 by exporter (ISO3 -> fraction, the 10% floor
            applied: ``tariffsim.io.ilms2025.announced_us_tariffs``), or None for other worlds.
    """

    world: World
    nu: np.ndarray
    source: str
    announced: pd.Series | None = None

    def __post_init__(self) -> None:
        nu = np.array(self.nu, dtype=np.float64)
        if nu.shape != (self.world.n_countries,) or not np.all((nu >= 0) & (nu < 1)):
            raise DataValidationError(f"ν must be one number in [0, 1) per country ({self.world.n_countries}); got "
                                      f"shape {nu.shape}, range [{nu.min():.3g}, {nu.max():.3g}]")
        nu.setflags(write=False)
        object.__setattr__(self, "nu", nu)


def read_ilms_data(folder: str | os.PathLike[str]) -> IlmsData:
    """The paper's world, ν and announced tariffs, exactly as the authors' code builds them
    (``tariffsim.io.ilms2025``)."""
    from tariffsim.io.ilms2025 import (
        announced_us_tariffs,
        ilms2025_baseline,
        read_ilms2025,
    )

    base = ilms2025_baseline(folder)
    return IlmsData(read_ilms2025(folder), base.nu, f"§2.2 calibration on the raw flows and GDP of {folder}",
                    announced_us_tariffs(folder))


def ilms_data_from_world(world: World, targets: tuple[float, float] = NU_TARGETS, home: str = HOME) -> IlmsData:
    """``IlmsData`` of any one-sector world: ν by ``nu_from_flows`` on its flows."""
    X = one_sector_flows(world)
    nu = nu_from_flows(X, world.country_index(home), targets)
    return IlmsData(world, nu, f"§2.2 targets {targets} on the world's own flows (home {home})")


def one_sector_flows(world: World) -> np.ndarray:
    """(N, N) the flows of a one-sector world without tariffs; DataValidationError otherwise."""
    if world.n_sectors != 1:
        raise DataValidationError(
            f"the ilms model has one sector; the world has {world.n_sectors}. Aggregate them first "
            "(world.aggregate_sectors({'all': list(world.sectors)}))")
    if np.any(world.tariffs != 0):
        raise DataValidationError(
            "the ilms model's baseline has no tariffs (MODEL_ILMS2025.md §2.4: tariffs are the shock); give it a "
            "world with zero tariffs (world.with_tariffs(0 * world.tariffs)) and put the tariffs in the Policy")
    return np.asarray(world.trade[:, :, 0], dtype=np.float64)


def nu_from_flows(X: np.ndarray, home: int, targets: tuple[float, float] = NU_TARGETS) -> np.ndarray:
    """(N,) ν of §2.2 on a filled matrix X (N, N): ν_rest for every country, ν_home for ``home``.

    §2.2 asks that the destination-weighted mean ν met by the rest's producers be ``targets[0]`` and by
    the home country's producers ``targets[1]``, with region r's sales inside r (domestic absorption)
    estimated from GDP. On the filled matrix those sales are known (X_ii plus trade within the region),
    so the conditions are linear in ν and solved exactly. For the paper's folder this differs from the
    paper's ν only because the domestic flows of GMB and MHL were floored at 0 (by about 1e-7); use
    ``read_ilms_data`` for the paper's own numbers.
    """
    n = X.shape[0]
    rest = np.delete(np.arange(n), home)
    inside_rest = X[np.ix_(rest, rest)].sum()  # domestic flows and trade among the rest
    rest_to_home, home_to_rest, home_home = X[rest, home].sum(), X[home, rest].sum(), X[home, home]
    if inside_rest + rest_to_home <= 0 or home_home + home_to_rest <= 0:
        raise DataValidationError("ν cannot be calibrated: the home country or the rest of the world sells nothing")
    r11 = inside_rest / (inside_rest + rest_to_home)
    r22 = home_home / (home_home + home_to_rest)
    nu_rest, nu_home = np.maximum(0.0, np.linalg.solve([[r11, 1 - r11], [1 - r22, r22]], targets))
    nu = np.full(n, nu_rest)
    nu[home] = nu_home
    return nu


def selection_elasticity(nu: np.ndarray, psi: float) -> np.ndarray:
    """(N,) ς_i = (1 + 1/θ) ν_i / (1 - ν_i) with θ = 1/ψ (§3; the code's ``phi_tilde``); φ = φ̃ + ς."""
    return (1 + psi) * nu / (1 - nu)


def baseline_flows(X: np.ndarray, nu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E, Y, T) of §2.5, each (N,): E_i = Σ_j X_ji, Y_j = Σ_i (1 - ν_i) X_ji + ν_j E_j, T = E - Y.

    Σ T = 0 up to rounding, for any X and ν.
    """
    E = X.sum(axis=0)
    Y = X @ (1 - nu) + nu * E
    return E, Y, E - Y


def eaton_kortum_flows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E, Y^EK, T^EK) of the Eaton-Kortum variant (B3): ν = 0, so income is sales Y^EK_j = Σ_i X_ji."""
    return baseline_flows(X, np.zeros(X.shape[0]))


def input_output_flows(X: np.ndarray, nu: np.ndarray, beta: float) -> tuple[np.ndarray, ...]:
    """(X^IO, E^IO, Y^IO, T^IO) of §11.1 for the value-added share ``beta``.

    X^IO is X with its diagonal divided by β (gross domestic sales, intermediates included); E^IO its
    column sums; Y^IO_j = β Σ_i (1 - ν_i) X^IO_ji + ν_j E^IO_j (value added); T^IO_j = E^IO_j - Y^IO_j -
    (1 - β) Σ_i (1 - ν_i) X^IO_ji (spending minus income minus intermediate purchases).
    """
    X_io = X.copy()
    diagonal = np.arange(X.shape[0])
    X_io[diagonal, diagonal] = X[diagonal, diagonal] / beta
    E = X_io.sum(axis=0)
    sales = X_io @ (1 - nu)
    Y = beta * sales + nu * E
    return X_io, E, Y, E - Y - (1 - beta) * sales


def no_us_bilateral_transfers(X: np.ndarray, T: np.ndarray, home: int) -> np.ndarray:
    """(N,) T^bal of §8 (D2, D4): T_i - (X[home, i] - X[i, home]) for i != home (i's bilateral deficit with
    the home country removed) and 0 for home.

    [QUIRK] Σ T^bal != 0 (for the paper's data about +5.7e8 thousand US$): the world budget does not add
    up and the country whose income equation is dropped (the last) absorbs the gap.
    """
    out = T - (X[home, :] - X[:, home])
    out[home] = 0.0
    return out
