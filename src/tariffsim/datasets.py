"""Where data sets live: a ``--data`` folder, a name under ``TARIFFSIM_DATA``, or the demo world."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from tariffsim.errors import DataValidationError

ENV_VAR = "TARIFFSIM_DATA"
DEMO = "demo"
SHOWN_CHARACTERS = 200
"""Longest path quoted whole in a message; longer ones are shortened in the middle."""

EMBEDDED = "icio2022"
"""The real world that ships with tariffsim (``io.embedded``): the first suggestion when no data set is found."""
_GIVE = (f"give --data a folder, a data-set name under ${ENV_VAR} (e.g. ossa2014), or --data {EMBEDDED} (real 2022 "
         f"data for 81 economies, shipped with tariffsim); --data {DEMO} is the synthetic demo world, for tests")


def data_root() -> Path | None:
    """The folder named by ``TARIFFSIM_DATA``, or None when the variable is unset."""
    value = os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else None


def shown(path: object, limit: int = SHOWN_CHARACTERS, *, quote: bool = True) -> str:
    """``path`` quoted for a message, shortened in the middle when longer than ``limit`` characters."""
    text = str(path)
    short = text if len(text) <= limit else f"{text[:limit // 2]}...{text[-limit // 2:]}"
    short = repr(short) if quote else short
    return short if len(text) <= limit else f"{short} ({len(text)} characters)"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a data-set name (a folder directly under TARIFFSIM_DATA), or None.

    Names given in files (a scenario's ``world``) are names, not paths: no ``..``, no ``/`` or ``\\``,
    so a file can never make tariffsim read outside the data folder.
    """
    if not name.strip():
        return "the name is empty"
    if name.strip() in (".", ".."):
        return f"{name.strip()!r} is a folder reference, not a name"
    if "/" in name or "\\" in name or os.sep in name or (os.altsep and os.altsep in name):
        return "a data-set name holds no '/' or '\\' (it is a folder directly under $" + ENV_VAR + ")"
    if ".." in name:
        return "a data-set name holds no '..'"
    if "\0" in name or name.startswith("~"):
        return "a data-set name is a plain folder name"
    return None


def dataset_path(name_or_path: str | os.PathLike[str] | None) -> Path:
    """Resolve ``ossa2014`` (a folder under TARIFFSIM_DATA) or a path to an existing folder or file.

    Raises DataValidationError, never OSError or TypeError: for None, for a value that is not a path,
    for an empty, overlong or unreadable path and for one found neither as given nor under the data root.
    """
    if name_or_path is None:
        raise DataValidationError(f"no data set given (None); fix: {_GIVE}")
    if isinstance(name_or_path, bytes) or not isinstance(name_or_path, str | os.PathLike):
        raise DataValidationError(f"data set {name_or_path!r}: a data set is named by text or a pathlib.Path, not "
                                  f"{type(name_or_path).__name__}; fix: {_GIVE}")
    text = os.fspath(name_or_path)
    if not isinstance(text, str) or not text.strip():
        raise DataValidationError(f"data set {text!r}: the name is empty; fix: {_GIVE}")
    path = _existing(Path(text).expanduser() if text.startswith("~") else Path(text), text)
    if path is not None:
        return path
    root = data_root()
    if root is not None:
        under = _existing(root / text, text)
        if under is not None:
            return under
    where = (f"looked for the path itself and under {ENV_VAR}={shown(root, quote=False)}" if root is not None
             else f"no such path, and {ENV_VAR} is not set")
    raise DataValidationError(
        f"data set {shown(text)} not found ({where}). "
        f"Fix: use --data {EMBEDDED} (real 2022 data for 81 economies, shipped with tariffsim), give --data a folder, "
        f"or set {ENV_VAR} to the folder holding the data sets (e.g. export {ENV_VAR}=../shared/data); --data "
        f"{DEMO} is the synthetic demo world, for tests."
    )


def _existing(path: Path, given: str) -> Path | None:
    """``path`` when it exists, None when it does not; DataValidationError when it cannot be looked at."""
    try:
        path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:  # a part of the path is a file
        return None
    except ValueError:  # an embedded NUL character
        raise DataValidationError(f"data set {shown(given)}: the path holds a NUL character; fix: {_GIVE}") from None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise DataValidationError(
                f"data set {shown(given)}: the path is too long for the system ({len(given)} characters; a "
                f"folder name may have at most 255, a whole path about 4,096); fix: {_GIVE}"
            ) from None
        if error.errno in (errno.EACCES, errno.EPERM):
            raise DataValidationError(
                f"data set {shown(given)}: permission denied; fix: make the folder readable, or {_GIVE}"
            ) from None
        raise DataValidationError(
            f"data set {shown(given)} cannot be read ({error.strerror or error}); fix: {_GIVE}"
        ) from None
    return path
