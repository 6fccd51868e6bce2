"""General-equilibrium trade models under one contract (``tariffsim.models.base``):
``calibrate(world) -> Calibration``, ``equations(calibration, policy) -> Equations``, solved by
``tariffsim.solve.solve`` (or the shortcut ``model.solve(calibration, policy)``)."""

from __future__ import annotations

from tariffsim.models._multisector import MultiSectorModel
from tariffsim.models.armington import Armington
from tariffsim.models.base import Calibration, Equations, Kernel, PolicyArrays, TradeModel, Variable
from tariffsim.models.caliendo_parro import CaliendoParro
from tariffsim.models.gravity_ge import GravityGE
from tariffsim.models.ilms import Ilms
from tariffsim.models.krugman import Krugman

MODELS = {"krugman": Krugman, "armington": Armington, "caliendo_parro": CaliendoParro, "gravity_ge": GravityGE,
          "ilms": Ilms}


def get_model(name: str, **options) -> TradeModel:
    """A model by name: ``"krugman"``, ``"armington"``, ``"caliendo_parro"`` (needs an IOWorld) or
    ``"gravity_ge"`` (one-sector structural gravity; options kind, imbalance, reference) or ``"ilms"``
    (Ignatenko et al. 2025, the Liberation Day model; options in ``tariffsim.models.ilms``)."""
    from tariffsim._lookup import suggest
    from tariffsim.errors import OptionError

    try:
        return MODELS[name.lower()](**options)
    except KeyError:
        raise OptionError(f"unknown model {name!r}.{suggest(name, MODELS)} Models: {', '.join(MODELS)}.") from None


__all__ = ["Armington", "CaliendoParro", "Calibration", "Equations", "GravityGE", "Kernel", "Krugman", "MODELS",
           "MultiSectorModel", "PolicyArrays", "TradeModel", "Variable", "get_model"]
