"""Read a TOML file written by a person, with errors that say what to check."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from tariffsim.errors import ScenarioError


def read_toml(path: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """The parsed document; ScenarioError naming the file (a ``kind`` file, e.g. "scenario") on failure."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise ScenarioError(f"{kind} file {str(path)!r} not found") from error
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not a valid TOML file: {error}. Check quotes around text, "
                            "[[change]] headers and one key = value per line.") from error
