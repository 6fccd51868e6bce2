"""The outputs one command writes: checked before any work starts, put in place together or not at all.

A command declares its outputs first (``Outputs.file`` for ``--json FILE``, ``Outputs.folder`` for
``--csv DIR``), which checks each target at once, before a minute of solving is spent:

- a file target must not be a folder (and, for a draft the user may have edited, must not exist unless
  ``--force``); a folder target must be missing or an empty folder (never a user's folder of other files);
- its nearest existing parent must be a folder that takes new files: tariffsim creates and removes a
  hidden probe file (or folder) there, since permission bits say nothing to root, nor about a read-only
  or special file system such as /proc;
- every name in its path must fit the file system's limit (``PC_NAME_MAX``), with room for the hidden
  prefix of the temporary and backup names, and the whole path ``PC_PATH_MAX``;
- two outputs may not share a path.

Missing parent folders are created (``--json out/2025/r.json`` makes ``out/2025``), as every tariffsim
command does; if the write then fails they are removed again.

At the end, ``Outputs.write(contents)`` writes every output to a hidden temporary beside its target,
then renames them all into place with Ctrl-C held back (``interrupt.deferred``). If any write or rename
fails, or a Ctrl-C arrived, every rename already done is undone (an overwritten file gets its old
content back) and no temporary is left: the user finds either all the requested outputs or none. A
failure of the file system is an OptionError naming the user's path and option, not the temporary.
After a successful write, Ctrl-C is ignored (``interrupt.finished``): the command has done its job.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tariffsim import interrupt
from tariffsim.atomic import flush_to_disk, remove, rename_together
from tariffsim.errors import OptionError

HIDDEN_PREFIX = 32
"""Bytes a target's name leaves for the hidden prefix of its temporary and backup names (``.tmp-<pid>-<8 hex
digits>-``, ``.old-...``: at most 22 with a 7-digit pid), so that those names fit the file system too."""
SHOWN_PATH = 160
"""Characters of a path an error message shows; a longer one is shortened in the middle."""

Writer = Callable[[Path], object]
"""``write(path)`` writes one output at exactly ``path`` (a file, or files inside the folder ``path``)."""


@dataclass
class Outputs:
    """The output targets of one command, by path, with the option that named each (for messages)."""

    targets: dict[Path, tuple[str, str]] = field(default_factory=dict)  # path -> (kind, option)

    def file(self, path: str | os.PathLike[str] | None, option: str, *, example: str = "results.json",
             overwrite: bool = True) -> Path | None:
        """Declare the file ``path`` (None: not asked for); OptionError now if it cannot be written.

        ``example`` is the file name a folder given by mistake is told to add (``draft.toml`` for a draft);
        ``overwrite=False`` refuses an existing file (one the user may have edited): the command then has a
        ``--force`` that passes ``overwrite=True``."""
        if path is None:
            return None
        target = Path(path)
        parent = self._check_place(target, option)
        if target.is_dir():
            raise OptionError(f"{option} {target}: that is a folder; give a file name, e.g. {target / example}")
        if not overwrite and target.exists():
            raise OptionError(f"{option} {target}: the file exists and may hold your edits, and tariffsim does not "
                              "overwrite it unless asked: give a new file name, or add --force to replace it")
        _probe(target, parent, "file" if parent == Path(os.path.abspath(target)).parent else "folder", option)
        return self._add(target, "file", option)

    def folder(self, path: str | os.PathLike[str] | None, option: str, replace: bool = False) -> Path | None:
        """Declare the folder ``path`` (None: not asked for); it must be missing or empty, unless
        ``replace`` (the caller knows it holds tariffsim's own earlier output): then it is replaced whole."""
        if path is None:
            return None
        target = Path(path)
        parent = self._check_place(target, option)
        if target.exists() and not target.is_dir():
            raise OptionError(f"{option} {target}: that is a file, not a folder; give a new folder name")
        if not replace and target.is_dir() and any(target.iterdir()):
            raise OptionError(f"{option} {target}: the folder is not empty, and tariffsim does not overwrite "
                              "files it did not write; give a new folder name or empty it")
        _probe(target, parent, "folder", option)
        return self._add(target, "folder", option)

    def write(self, contents: Mapping[Path, Writer]) -> list[Path]:
        """Write every declared output (``contents[path](temporary)``) and put them in place together.

        ``contents`` must have one writer for each declared target. Returns the targets, in declaration
        order. On any failure or Ctrl-C nothing of this call is left behind (see the module docstring);
        a failure of the file system (a full disk, a place that takes no files) is an OptionError naming
        the user's path and option.
        """
        if set(contents) != set(self.targets):
            raise ValueError(f"writers for {sorted(map(str, contents))}, targets {sorted(map(str, self.targets))}")
        staged: list[tuple[Path, Path]] = []
        made: list[Path] = []
        try:
            self._stage(contents, staged, made)
            rename_together(staged)
        except BaseException as error:
            for temporary, _ in staged:
                remove(temporary)
            for folder in reversed(made):
                _remove_empty(folder)
            if isinstance(error, OSError):
                target = _failed_target(error, staged) or next(iter(self.targets))
                raise OptionError(f"{self.targets[target][1]} {_shown(target)}: could not write it "
                                  f"({error.strerror or error}); nothing was written: choose another place, "
                                  "or free some space") from None
            raise
        interrupt.finished()
        return list(self.targets)

    def _stage(self, contents: Mapping[Path, Writer], staged: list[tuple[Path, Path]], made: list[Path]) -> None:
        """Write each output to a hidden temporary beside its target, appending ``(temporary, target)`` to
        ``staged`` and every parent folder it creates to ``made`` (so that a failure can undo all)."""
        for target, (kind, _) in self.targets.items():
            made.extend(_make_parents(target))
            temporary = target.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{target.name}")
            staged.append((temporary, target))
            if kind == "folder":
                temporary.mkdir()
            contents[target](temporary)
            if kind == "file":
                flush_to_disk(temporary)

    def _check_place(self, target: Path, option: str) -> Path:
        """The nearest existing parent of ``target``, after checking that it is a folder and that every name
        still to be created fits the file system (OptionError naming the name and the limit)."""
        absolute = Path(os.path.abspath(target))
        parent = absolute.parent
        while not os.path.lexists(parent):  # os.path: False, not an error, for a name that is too long
            parent = parent.parent
        _check_lengths(target, absolute, parent, option)
        if not parent.is_dir():
            raise OptionError(f"{option} {target}: {parent} is a file, not a folder; choose another place")
        return parent

    def _add(self, target: Path, kind: str, option: str) -> Path:
        for other, (_, other_option) in self.targets.items():
            a, b = target.absolute(), other.absolute()
            if a == b or a in b.parents or b in a.parents:
                raise OptionError(f"{option} {target} and {other_option} {other} overlap; give them separate places")
        self.targets[target] = (kind, option)
        return target


def _check_lengths(target: Path, absolute: Path, parent: Path, option: str) -> None:
    """OptionError unless each name below ``parent`` (the folders to create, then the target's own name
    with HIDDEN_PREFIX to spare) and the whole path fit the limits of ``parent``'s file system."""
    name_max, path_max = _limit(parent, "PC_NAME_MAX", 255), _limit(parent, "PC_PATH_MAX", 4096)
    names = absolute.relative_to(parent).parts
    for k, name in enumerate(names):
        room = name_max - (HIDDEN_PREFIX if k == len(names) - 1 else 0)
        if len(os.fsencode(name)) > room:
            raise OptionError(f"{option} {_shown(target)}: the name {_shown(name, 40)} has {len(os.fsencode(name))} "
                              f"bytes; this file system allows {name_max}, and tariffsim needs {name_max - room} for "
                              f"its temporary copy: give a name of at most {room} bytes")
    if len(os.fsencode(str(absolute))) + HIDDEN_PREFIX > path_max:
        raise OptionError(f"{option} {_shown(target)}: the path has {len(os.fsencode(str(absolute)))} bytes; this "
                          f"system allows {path_max - HIDDEN_PREFIX} here: choose a shorter path")


def _limit(folder: Path, name: str, default: int) -> int:
    """``os.pathconf(folder, name)``, or ``default`` where the system does not say."""
    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError):
        return default


def _probe(target: Path, parent: Path, kind: str, option: str) -> None:
    """Create and remove a hidden file (or folder) in ``parent``, OptionError if that fails: permission
    bits say yes to root everywhere, and nothing about read-only or special file systems (/proc)."""
    try:
        if kind == "folder":
            os.rmdir(tempfile.mkdtemp(prefix=".tariffsim-probe-", dir=parent))
        else:
            descriptor, name = tempfile.mkstemp(prefix=".tariffsim-probe-", dir=parent)
            os.close(descriptor)
            os.unlink(name)
    except OSError as error:
        if isinstance(error, PermissionError):
            raise OptionError(f"{option} {target}: no permission to write in {parent}; choose another place") from None
        raise OptionError(f"{option} {target}: {parent} takes no new {kind}s (trying to create one gave "
                          f"\"{error.strerror or error}\"); choose another place") from None


def _make_parents(target: Path) -> list[Path]:
    """Create the missing parent folders of ``target``; returns them, outermost first."""
    missing = []
    folder = target.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir()
    return missing[::-1]


def _remove_empty(folder: Path) -> None:
    """Remove ``folder`` if it is empty (a parent this write created), else leave it."""
    with contextlib.suppress(OSError):
        folder.rmdir()


def _failed_target(error: OSError, staged: list[tuple[Path, Path]]) -> Path | None:
    """The target whose temporary, backup or own path ``error`` names (the last staged one if it names
    none): the user is told about their path, never about ``.tmp-...``."""
    named = [Path(f) for f in (error.filename, error.filename2) if isinstance(f, (str, os.PathLike))]
    for temporary, target in reversed(staged):
        for path in named:
            if path in (target, temporary) or temporary in path.parents or (
                    path.parent == target.parent and path.name.endswith(f"-{target.name}")):
                return target
    return staged[-1][1] if staged else None


def _shown(path: object, width: int = SHOWN_PATH) -> str:
    """``path`` as text, shortened in the middle to ``width`` characters (a 5,000-character path would
    bury the message)."""
    text = str(path)
    if len(text) <= width:
        return text
    half = (width - 3) // 2
    return f"{text[:half]}...{text[-half:]}"
