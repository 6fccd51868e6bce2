"""Fixtures for the gravity tests: the Yotov et al. (2016) data sets, read once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "gravity"


@pytest.fixture(scope="session")
def yotov(data_dir: Path):
    """Reader for ``../shared/data/yotov2016/<name>.dta`` (cached; returns a fresh copy)."""
    cache: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = pd.read_stata(data_dir / "yotov2016" / f"{name}.dta")
        return cache[name].copy()

    return read


@pytest.fixture(scope="session")
def cross_section_2006(yotov) -> pd.DataFrame:
    """Chapter2Application2 in 2006 (69 x 69 incl. domestic flows), with derived gravity columns."""
    from tariffsim.gravity import add_gravity_columns

    data = yotov("Chapter2Application2")
    return add_gravity_columns(data[data["year"] == 2006]).reset_index(drop=True)


@pytest.fixture(scope="session")
def nafta_run(yotov):
    """examples/gravity/nafta.toml run on Chapter2Application2 (estimation, pair effects, verified full GE)."""
    from tariffsim.gravity.experiment_file import load_experiment
    from tariffsim.gravity.pipeline import run_experiment

    return run_experiment(load_experiment(EXAMPLES / "nafta.toml"), yotov("Chapter2Application2"))


@pytest.fixture(scope="session")
def borders_run(yotov):
    """examples/gravity/no_borders.toml run on Chapter2Application1 (2006 cross-section)."""
    from tariffsim.gravity.experiment_file import load_experiment
    from tariffsim.gravity.pipeline import run_experiment

    return run_experiment(load_experiment(EXAMPLES / "no_borders.toml"), yotov("Chapter2Application1"))
