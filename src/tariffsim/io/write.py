"""Write a world as long-format tables that ``read_long_folder`` reads back exactly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tariffsim.atomic import atomic_folder
from tariffsim.errors import OptionError
from tariffsim.io.long import ALIAS_SEPARATOR
from tariffsim.world import World

FORMATS = ("csv", "parquet")


def _long_tables(world: World) -> dict[str, pd.DataFrame]:
    """The flows (N*N*S rows, exporter-major), sectors, countries and groups tables of ``world``."""
    i, j, s = (k.ravel() for k in np.indices(world.trade.shape))
    countries, sectors = np.asarray(world.countries), np.asarray(world.sectors)
    aliases = {code: [a for a, c in world.country_aliases.items() if c == code] for code in world.countries}
    country_table = pd.DataFrame({"code": world.countries, "name": world.country_names})
    if world.country_aliases:
        country_table["aliases"] = [ALIAS_SEPARATOR.join(aliases[code]) for code in world.countries]
    return {
        "flows": pd.DataFrame({"exporter": countries[i], "importer": countries[j], "sector": sectors[s],
                               "value": world.trade.ravel(), "tariff": world.tariffs.ravel()}),
        "sectors": pd.DataFrame({"sector": world.sectors, "name": world.sector_names, "sigma": world.sigma}),
        "countries": country_table,
        "groups": pd.DataFrame([(g, m) for g, ms in world.sector_groups.items() for m in ms],
                               columns=["group", "sector"], dtype=str),
    }


def write_long(world: World, folder: str | os.PathLike[str], format: Literal["csv", "parquet"] = "csv") -> Path:
    """Write flows, sectors, countries and groups tables of ``world`` into a new folder; return it.

    Floats are written exactly (Arrow writes the shortest text that reads back to the same float). The
    folder must not exist or be empty. Tables are first written to a temporary folder beside it and
    moved into place at the end, so a failure leaves no half-written output.
    """
    if format not in FORMATS:
        raise OptionError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}")
    folder = Path(folder)
    with atomic_folder(folder) as staging:
        for name, frame in _long_tables(world).items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if format == "csv":
                pa_csv.write_csv(table, staging / f"{name}.csv")
            else:
                pq.write_table(table, staging / f"{name}.parquet")
    return folder
