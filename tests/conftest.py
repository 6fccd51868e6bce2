"""Shared fixtures: JAX in 64-bit, and the shared data sets (fail in CI when missing, else skip)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

REPO = Path(__file__).resolve().parent.parent


def _shared_folder(env_var: str, default: Path, what: str) -> Path:
    path = Path(os.environ.get(env_var, default)).expanduser()
    if not path.is_dir():
        message = (f"{what} not found at {path}: set {env_var} to that folder "
                   "(for the workspace layout: ../shared/data and ../shared/reference)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real data sets (``../shared/data`` beside the repo, or TARIFFSIM_DATA)."""
    return _shared_folder("TARIFFSIM_DATA", REPO.parent / "shared" / "data", "shared data sets")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Published results for validation (``../shared/reference``, or TARIFFSIM_REFERENCE)."""
    return _shared_folder("TARIFFSIM_REFERENCE", REPO.parent / "shared" / "reference", "reference results")


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The seed news article (``../shared/seed`` beside the repo, or TARIFFSIM_SEED)."""
    return _shared_folder("TARIFFSIM_SEED", REPO.parent / "shared" / "seed", "seed article")
