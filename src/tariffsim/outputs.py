"""The outputs one command writes: checked before any work starts, put in place together or not at all.

A command declares its outputs first (``Outputs.file`` for ``--json FILE``, ``Outputs.folder`` for
``--csv DIR``), which checks each target at once, before a minute of solving is spent:

- a file target must not be a folder, and its nearest existing parent must be a writable folder;
- a folder target must be missing or an empty folder (never a user's folder of other files), and its
  nearest existing parent must be a writable folder;
- two outputs may not share a path.

At the end, ``Outputs.write(contents)`` writes every output to a hidden temporary beside its target,
then renames them all into place with Ctrl-C held back (``interrupt.deferred``). If any write or rename
fails, or a Ctrl-C arrived, every rename already done is undone (an overwritten file gets its old
content back) and no temporary is left: the user finds either all the requested outputs or none.
After a successful write, Ctrl-C is ignored (``interrupt.finished``): the command has done its job.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tariffsim import interrupt
from tariffsim.atomic import flush_to_disk, remove, rename_together
from tariffsim.errors import OptionError

Writer = Callable[[Path], object]
"""``write(path)`` writes one output at exactly ``path`` (a file, or files inside the folder ``path``)."""


@dataclass
class Outputs:
    """The output targets of one command, by path, with the option that named each (for messages)."""

    targets: dict[Path, tuple[str, str]] = field(default_factory=dict)  # path -> (kind, option)

    def file(self, path: str | os.PathLike[str] | None, option: str) -> Path | None:
        """Declare the file ``path`` (None: not asked for); OptionError now if it cannot be written."""
        if path is None:
            return None
        target = Path(path)
        if target.is_dir():
            raise OptionError(f"{option} {target}: that is a folder; give a file name, e.g. {target / 'results.json'}")
        self._check_parent(target, option)
        return self._add(target, "file", option)

    def folder(self, path: str | os.PathLike[str] | None, option: str, replace: bool = False) -> Path | None:
        """Declare the folder ``path`` (None: not asked for); it must be missing or empty, unless
        ``replace`` (the caller knows it holds tariffsim's own earlier output): then it is replaced whole."""
        if path is None:
            return None
        target = Path(path)
        if target.exists() and not target.is_dir():
            raise OptionError(f"{option} {target}: that is a file, not a folder; give a new folder name")
        if not replace and target.is_dir() and any(target.iterdir()):
            raise OptionError(f"{option} {target}: the folder is not empty, and tariffsim does not overwrite "
                              "files it did not write; give a new folder name or empty it")
        self._check_parent(target, option)
        return self._add(target, "folder", option)

    def write(self, contents: Mapping[Path, Writer]) -> list[Path]:
        """Write every declared output (``contents[path](temporary)``) and put them in place together.

        ``contents`` must have one writer for each declared target. Returns the targets, in declaration
        order. On any failure or Ctrl-C nothing of this call is left behind (see the module docstring).
        """
        if set(contents) != set(self.targets):
            raise ValueError(f"writers for {sorted(map(str, contents))}, targets {sorted(map(str, self.targets))}")
        staged: list[tuple[Path, Path]] = []
        try:
            for target, (kind, _) in self.targets.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{target.name}")
                staged.append((temporary, target))
                if kind == "folder":
                    temporary.mkdir()
                contents[target](temporary)
                if kind == "file":
                    flush_to_disk(temporary)
            rename_together(staged)
        finally:
            for temporary, _ in staged:
                remove(temporary)
        interrupt.finished()
        return list(self.targets)

    def _check_parent(self, target: Path, option: str) -> None:
        parent = target.absolute().parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise OptionError(f"{option} {target}: {parent} is a file, not a folder; choose another place")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OptionError(f"{option} {target}: no permission to write in {parent}; choose another place")

    def _add(self, target: Path, kind: str, option: str) -> Path:
        for other, (_, other_option) in self.targets.items():
            a, b = target.absolute(), other.absolute()
            if a == b or a in b.parents or b in a.parents:
                raise OptionError(f"{option} {target} and {other_option} {other} overlap; give them separate places")
        self.targets[target] = (kind, option)
        return target
