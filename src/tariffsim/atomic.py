"""Files and folders that appear whole or not at all: write beside the target, then rename into place.

Every file tariffsim writes for a user (result tables and JSON, cache entries, reports, drafts) goes
through ``atomic_write`` (or ``atomic_write_text``); a whole output folder (a replication run, a world
written as long tables) through ``atomic_folder``. A failure or Ctrl-C half-way leaves no half-written
file or folder, only what was there before; a reader never sees a partial file.

- ``atomic_write(target, write)``: ``write(temporary)`` writes a hidden file ``.tmp-<pid>-<random>-<name>``
  in the target's folder (the same file system, so the rename is atomic); it is flushed to disk and
  renamed onto ``target``; on any failure it is removed. After a Ctrl-C (even one a C callback
  swallowed, see ``tariffsim.interrupt``) nothing is renamed into place. The name is unique per call, so two processes
  writing the same target (two CLI runs sharing a cache) do not write into one temporary file; it ends
  with the target's name, so writers that go by the extension (pandas' compression, ``np.savez``,
  ``savefig``'s format) do what they would do for the target.
- ``atomic_folder(out)``: a context manager yielding a hidden temporary folder beside ``out``, renamed to
  ``out`` when the block succeeds and deleted when it fails; ``out`` must be missing or an empty folder
  (``check_free_folder``), and that is checked before the block runs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from tariffsim import interrupt
from tariffsim.errors import OptionError


def atomic_write(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary)`` (it must write the file at exactly that path) and move the result onto
    ``target``; on any failure (or Ctrl-C) the temporary file is removed and ``target`` is untouched.
    The target's folder is created if needed. Returns ``target`` (as a Path)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{target.name}")
    try:
        write(temporary)
        flush_to_disk(temporary)
        interrupt.raise_if_interrupted()
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def atomic_write_text(target: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically (see ``atomic_write``); returns ``target``."""
    return atomic_write(target, lambda path: path.write_text(text, encoding=encoding))


def atomic_write_bytes(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (see ``atomic_write``); returns ``target``."""
    return atomic_write(target, lambda path: path.write_bytes(data))


def check_free_folder(folder: Path, fix: str = "choose a new folder or remove it") -> None:
    """OptionError unless ``folder`` is missing or an empty folder (check it before long computations)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OptionError(f"{folder} exists and is not an empty folder: {fix}")


@contextlib.contextmanager
def atomic_folder(out: Path, fix: str = "choose a new folder or remove it") -> Iterator[Path]:
    """A hidden temporary folder beside ``out`` that becomes ``out`` only if the block succeeds.

    ``out`` must be missing or empty (else OptionError ending with ``fix``); on failure or Ctrl-C the
    temporary folder is deleted and ``out`` is left as it was. This is a command's one output, so once
    it is in place Ctrl-C is ignored (``interrupt.finished``, only in the CLI).
    """
    out = Path(out)
    check_free_folder(out, fix)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield temporary
        rename_together([(temporary, out)])
    finally:
        remove(temporary)
    interrupt.finished()


def flush_to_disk(path: Path) -> None:
    """Ask the OS to write ``path``'s data to disk, so a crash after the rename cannot leave it empty."""
    descriptor = os.open(path, os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def rename_together(staged: list[tuple[Path, Path]]) -> None:
    """Rename each ``(temporary, target)`` into place, all or none, with Ctrl-C held back meanwhile.

    A target that exists (a file, or a folder of an earlier run) is first moved to a hidden backup; on
    any failure, or if a Ctrl-C arrived before or during the renames, every rename done is undone and
    the backups are put back, then the error (or KeyboardInterrupt) is raised. Backups are deleted once
    all renames are done."""
    done: list[tuple[Path, Path | None, bool]] = []  # (target, backup of what it replaced, was an empty folder)
    with interrupt.deferred():
        try:
            interrupt.raise_if_interrupted()
            for temporary, target in staged:
                backup, was_empty_folder = None, target.is_dir() and not any(target.iterdir())
                if was_empty_folder:
                    target.rmdir()
                elif target.exists():
                    backup = target.with_name(f".old-{os.getpid()}-{secrets.token_hex(4)}-{target.name}")
                    os.replace(target, backup)
                done.append((target, backup, was_empty_folder))
                os.replace(temporary, target)
            interrupt.raise_if_interrupted()
        except BaseException:
            for target, backup, was_empty_folder in reversed(done):
                remove(target)
                if backup is not None:
                    os.replace(backup, target)
                elif was_empty_folder:
                    target.mkdir()
            raise
    for _, backup, _ in done:
        if backup is not None:
            remove(backup)


def remove(path: Path) -> None:
    """Delete the file or folder ``path`` if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
