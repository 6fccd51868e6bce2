"""General-equilibrium trade models sharing one interface: ``calibrate(world)``, ``solve(cal, policy)``."""

from __future__ import annotations

from tariffsim.models._multisector import Calibration, MultiSectorModel
from tariffsim.models.armington import Armington
from tariffsim.models.caliendo_parro import CaliendoParro
from tariffsim.models.krugman import Krugman

MODELS = {"krugman": Krugman, "armington": Armington, "caliendo_parro": CaliendoParro}


def get_model(name: str, **options) -> MultiSectorModel | CaliendoParro:
    """A model by name (``"krugman"``, ``"armington"`` or ``"caliendo_parro"``, which needs an IOWorld)."""
    from tariffsim.errors import TariffsimError
    from tariffsim._lookup import suggest

    try:
        return MODELS[name.lower()](**options)
    except KeyError:
        raise TariffsimError(f"unknown model {name!r}.{suggest(name, MODELS)} Models: {', '.join(MODELS)}.") from None


__all__ = ["Armington", "CaliendoParro", "Calibration", "Krugman", "MODELS", "MultiSectorModel", "get_model"]
