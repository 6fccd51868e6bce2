"""Where data sets live: a ``--data`` folder, a name under ``TARIFFSIM_DATA``, or the demo world."""

from __future__ import annotations

import os
from pathlib import Path

from tariffsim.errors import DataValidationError

ENV_VAR = "TARIFFSIM_DATA"
DEMO = "demo"


def data_root() -> Path | None:
    """The folder named by ``TARIFFSIM_DATA``, or None when the variable is unset."""
    value = os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else None


def dataset_path(name_or_path: str | os.PathLike[str]) -> Path:
    """Resolve ``ossa2014`` (a folder under TARIFFSIM_DATA) or a path to an existing folder or file."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    root = data_root()
    if root is not None and (root / path).exists():
        return root / path
    where = (f"looked for the path itself and under {ENV_VAR}={root}" if root is not None
             else f"no such path, and {ENV_VAR} is not set")
    raise DataValidationError(
        f"data set {str(name_or_path)!r} not found ({where}). "
        f"Give --data a folder, set {ENV_VAR} to the folder holding the data sets "
        f"(e.g. export {ENV_VAR}=../shared/data), or use --data {DEMO} for the synthetic demo world."
    )
