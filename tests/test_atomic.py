"""tariffsim.atomic: a file or folder appears whole or not at all; nothing is left behind on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tariffsim.atomic import atomic_folder, atomic_write, atomic_write_bytes, atomic_write_text, check_free_folder
from tariffsim.errors import OptionError


def test_writes_through_a_hidden_temporary_file_in_the_same_folder(tmp_path: Path) -> None:
    seen: list[Path] = []

    def write(path: Path) -> None:
        seen.append(path)
        path.write_text("new")

    target = tmp_path / "deep" / "out.json"
    assert atomic_write(target, write) == target and target.read_text() == "new"
    (temporary,) = seen
    assert temporary.parent == target.parent and temporary.name.startswith(".tmp-")
    assert temporary.name.endswith("-out.json") and not temporary.exists()  # same extension as the target
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")

    def half_write(path: Path) -> None:
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_write)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_each_call_has_its_own_temporary_file(tmp_path: Path) -> None:
    names: list[str] = []
    for _ in range(2):
        atomic_write(tmp_path / "a", lambda p: (names.append(p.name), p.write_text("x")))
    assert len(set(names)) == 2


def test_writers_that_go_by_the_extension_write_what_the_target_asks_for(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"a": [1.5, 2.5]})
    target = atomic_write(tmp_path / "t.csv.gz", lambda p: frame.to_csv(p, index=False))
    assert target.read_bytes()[:2] == b"\x1f\x8b"  # gzip, inferred from the name
    pd.testing.assert_frame_equal(pd.read_csv(target), frame)
    arrays = atomic_write(tmp_path / "a.npz", lambda p: np.savez(p, x=np.arange(3)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "t.csv.gz"]
    with np.load(arrays) as stored:
        assert stored["x"].tolist() == [0, 1, 2]


def test_text_and_bytes(tmp_path: Path) -> None:
    assert atomic_write_text(tmp_path / "t.txt", "é\n").read_bytes() == "é\n".encode()
    assert atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"


def test_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_folder(out) as folder:
        (folder / "a.csv").write_text("1")
        assert not out.exists() and folder.parent == tmp_path and folder.name.startswith(".run.")
    assert [p.name for p in out.iterdir()] == ["a.csv"]
    failed = tmp_path / "failed"
    with pytest.raises(RuntimeError, match="stop"), atomic_folder(failed) as folder:
        (folder / "a.csv").write_text("1")
        raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_an_empty_folder_is_replaced_and_a_full_one_refused_with_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_folder(empty) as folder:
        (folder / "x").write_text("1")
    assert (empty / "x").is_file()
    with pytest.raises(OptionError, match=r"empty exists and is not an empty folder: give a new --out folder"):
        check_free_folder(empty, "give a new --out folder or remove it")
    with pytest.raises(OptionError, match=r"exists and is not an empty folder: choose a new folder or remove it"):
        with atomic_folder(empty):
            pass
