"""Results cached on disk, keyed by their inputs, so an interrupted run resumes where it stopped.

A ``Cache`` is a folder of entries; each entry is ``KEY.npz`` (numpy arrays) plus ``KEY.json``
(metadata: what the entry is, and any JSON-ready values). ``fingerprint(...)`` makes the key: a
SHA-256 of the inputs (arrays by dtype, shape and bytes; numbers, strings, sequences, mappings and
dataclasses field by field) and of the tariffsim version, so a new version never reuses old results.
``source_digest(paths)`` hashes the source files that compute a result: put it among the parts so a
result is not reused after that code was edited (in a development checkout the version stays put).

Writes are atomic (``tariffsim.atomic``): each file is written under a temporary name and renamed,
the ``.json`` last, so an entry exists only once both files are whole; an interrupted write leaves no
entry. An entry that exists but cannot be read raises ``CacheError`` naming the file and the fix.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

import tariffsim
from tariffsim.atomic import atomic_write, atomic_write_text
from tariffsim.errors import TariffsimError

DEFAULT_FOLDER = ".tariffsim-cache"


class CacheError(TariffsimError, OSError):
    """A cache entry that exists but cannot be read, or a cache folder that cannot be written."""


def fingerprint(*parts: object) -> str:
    """A hex SHA-256 of ``parts`` and the tariffsim version; equal inputs give equal keys.

    Accepts None, bool, int, float, str, numpy (and JAX) arrays, sequences, mappings and dataclasses;
    anything else raises TypeError (a key must never silently ignore an input).
    """
    digest = hashlib.sha256()
    _feed(digest, ("tariffsim", tariffsim.__version__, parts))
    return digest.hexdigest()


@functools.cache
def source_digest(paths: tuple[str, ...]) -> str:
    """A hex SHA-256 of the ``.py`` files at ``paths`` (modules or folders, relative to the tariffsim
    package), names and contents."""
    package = Path(tariffsim.__file__).parent
    files = sorted(f for p in paths for f in ([package / p] if p.endswith(".py") else (package / p).rglob("*.py")))
    if not files:
        raise ValueError(f"no tariffsim source files at {paths}")
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _feed(digest, value: object) -> None:
    if value is None or isinstance(value, bool | int | float | str):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, list | tuple):
        digest.update(f"seq{len(value)}[".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif isinstance(value, Mapping):
        digest.update(f"map{len(value)}{{".encode())
        for key in sorted(value, key=str):
            _feed(digest, str(key))
            _feed(digest, value[key])
        digest.update(b"}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"{type(value).__qualname__}(".encode())
        for item in dataclasses.fields(value):
            _feed(digest, item.name)
            _feed(digest, getattr(value, item.name))
        digest.update(b")")
    elif hasattr(value, "__array__") or isinstance(value, np.generic):
        array = np.ascontiguousarray(np.asarray(value))
        if array.dtype == object:
            raise TypeError("cannot fingerprint an object array; give numbers or strings")
        digest.update(f"array{array.dtype.str}{array.shape}:".encode())
        digest.update(array.tobytes())
    else:
        raise TypeError(f"cannot fingerprint a {type(value).__name__}; give arrays, numbers, strings, "
                        "sequences, mappings or dataclasses of them")


@dataclasses.dataclass(frozen=True)
class Entry:
    """A cached result: its arrays and its JSON metadata."""

    arrays: dict[str, np.ndarray]
    meta: dict


class Cache:
    """A folder of cached results (created on the first write).

    ``get(key)`` returns an ``Entry`` or None; ``put(key, arrays, meta)`` stores one atomically.
    """

    def __init__(self, folder: str | os.PathLike[str] = DEFAULT_FOLDER):
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"Cache({str(self.folder)!r})"

    def get(self, key: str) -> Entry | None:
        """The entry stored under ``key``, or None if there is none."""
        meta_path, array_path = self._paths(key)
        if not meta_path.is_file():
            return None
        meta = self._read(meta_path, array_path, lambda: json.loads(meta_path.read_text()))
        if meta.get("key") != key:
            raise CacheError(f"cache entry {meta_path} holds key {meta.get('key')!r}, not {key!r}: the folder "
                             f"was edited by hand. Delete {self.folder} and run again")
        arrays = self._read(meta_path, array_path, lambda: _load_arrays(array_path))
        return Entry(arrays, meta["meta"])

    def put(self, key: str, arrays: Mapping[str, np.ndarray], meta: Mapping) -> None:
        """Store ``arrays`` and JSON-ready ``meta`` under ``key`` (replacing any entry)."""
        meta_path, array_path = self._paths(key)
        document = json.dumps({"key": key, "tariffsim": tariffsim.__version__, "meta": dict(meta)}, indent=1)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(array_path, lambda path: _save_arrays(path, arrays))
            atomic_write_text(meta_path, document)
        except OSError as error:
            raise CacheError(f"cannot write to the cache folder {self.folder}: {error}. Choose another with "
                             "--cache DIR, or --no-cache") from error

    def _read(self, meta_path: Path, array_path: Path, read):
        try:
            return read()
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise CacheError(f"cache entry {meta_path} (with {array_path.name}) cannot be read: {error}. "
                             f"Delete both files (or the folder {self.folder}) and run again") from error

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"cache keys are hex digests from fingerprint(), not {key!r}")
        return self.folder / f"{key}.json", self.folder / f"{key}.npz"


def _save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    with path.open("wb") as handle:
        np.savez(handle, **{name: np.asarray(array) for name, array in arrays.items()})


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}

