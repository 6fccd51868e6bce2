"""The real world that ships with tariffsim: ICIO 2022 (81 economies x 28 sectors), so that a fresh
install answers a question on real data with no data set downloaded.

``src/tariffsim/data/icio2022.npz`` is the tariffwar cube ``ICIO2022.mat`` held exactly (built by
``scripts/build_default_world.py``); ``read_world("icio2022")`` reads the shared cube when
``$TARIFFSIM_DATA`` has it and this copy otherwise, and both give the same World. Sources, terms and
citations: ``src/tariffsim/data/SOURCES.md`` (OECD ICIO 2023 edition: reuse with attribution; tariffs:
Teti Global Tariff Database; elasticity sets: their authors, via Lashkaripour's tariffwar package).
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np

from tariffsim.datasets import EMBEDDED
from tariffsim.io.tariffwar import DEFAULT_ELASTICITY, cube_world
from tariffsim.world import World

FILE = "icio2022.npz"


def read_embedded(elasticity: str | None = None) -> World:
    """The embedded ICIO 2022 world, its sigma from ``elasticity`` (default ``U4``)."""
    with resources.files("tariffsim.data").joinpath(FILE).open("rb") as stream, np.load(stream) as stored:
        meta = json.loads(str(stored["meta"]))
        sets = {name: stored[f"sigma_{name}"] for name in meta["sets"]}
        trade, tariffs = stored["trade"], stored["tariffs"]
    return cube_world("icio", meta["year"], tuple(meta["countries"]), tuple(meta["sectors"]), trade, tariffs, sets,
                      elasticity or DEFAULT_ELASTICITY, note="; embedded copy")
