"""The on-disk result cache: keys that change with every input, exact round trips, atomic writes,
loud errors on damaged entries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tariffsim import cache as cache_module
from tariffsim.cache import Cache, CacheError, fingerprint


@dataclass(frozen=True)
class Options:
    mfn: bool
    upper: float


BASE = (np.arange(6.0).reshape(2, 3), {"net_exports": "zero", "players": ["USA", "JPN"]}, Options(False, 10.0), None)


def test_equal_inputs_give_equal_keys():
    assert fingerprint(*BASE) == fingerprint(np.arange(6.0).reshape(2, 3), {"players": ["USA", "JPN"],
                                                                           "net_exports": "zero"},
                                             Options(False, 10.0), None)
    assert len(fingerprint(*BASE)) == 64


def test_source_digest_covers_the_named_files_only(tmp_path, monkeypatch):
    package = tmp_path / "tariffsim"
    (package / "games").mkdir(parents=True)
    (package / "games" / "nash.py").write_text("x = 1\n")
    (package / "cli.py").write_text("y = 1\n")
    monkeypatch.setattr(cache_module.tariffsim, "__file__", str(package / "__init__.py"))
    digest = cache_module.source_digest.__wrapped__
    before = digest(("games",))
    (package / "cli.py").write_text("y = 2\n")
    assert digest(("games",)) == before
    (package / "games" / "nash.py").write_text("x = 2\n")
    assert digest(("games",)) != before and len(before) == 64
    with pytest.raises(ValueError, match="no tariffsim source files"):
        digest(("gmaes",))


@pytest.mark.parametrize("changed", [
    (np.arange(6.0).reshape(3, 2),) + BASE[1:],  # shape
    (np.arange(6).reshape(2, 3),) + BASE[1:],  # dtype
    (np.arange(6.0).reshape(2, 3) + 1e-15 * np.eye(2, 3),) + BASE[1:],  # one value, by rounding error
    (BASE[0], {"net_exports": "zero", "players": ["JPN", "USA"]}) + BASE[2:],  # order of a list
    BASE[:2] + (Options(True, 10.0), None),  # a dataclass field
    BASE[:3] + ("None",),  # a string is not None
    BASE[:3] + (0,),  # 0 is not None
])
def test_any_change_of_an_input_changes_the_key(changed):
    assert fingerprint(*changed) != fingerprint(*BASE)


def test_unknown_types_cannot_be_keyed():
    with pytest.raises(TypeError, match="cannot fingerprint a set"):
        fingerprint({1, 2})
    with pytest.raises(TypeError, match="object array"):
        fingerprint(np.array([{}, 1], dtype=object))


def test_round_trip_is_exact(tmp_path):
    store = Cache(tmp_path / "cache")
    key = fingerprint("entry")
    assert store.get(key) is None and not (tmp_path / "cache").exists()
    arrays = {"tariffs": np.random.default_rng(0).uniform(size=(3, 3, 2)), "chosen": np.array([1e-300, -0.0])}
    store.put(key, arrays, {"country": "JPN", "labels": [["USA", "agr"]], "kkt": 1e-9})
    entry = Cache(tmp_path / "cache").get(key)
    assert entry.meta == {"country": "JPN", "labels": [["USA", "agr"]], "kkt": 1e-9}
    for name, array in arrays.items():
        np.testing.assert_array_equal(entry.arrays[name], array)
        assert entry.arrays[name].tobytes() == array.tobytes()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [f"{key}.json", f"{key}.npz"]


def test_an_interrupted_write_leaves_the_old_entry_and_no_litter(tmp_path, monkeypatch):
    store = Cache(tmp_path)
    key = fingerprint("entry")
    store.put(key, {"a": np.ones(2)}, {"n": 1})

    def interrupted(handle, **arrays):
        handle.write(b"PK\x03\x04 half a zip file")
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.put(key, {"a": np.zeros(2)}, {"n": 2})
    with pytest.raises(KeyboardInterrupt):
        store.put(fingerprint("new entry"), {"a": np.zeros(2)}, {"n": 3})
    monkeypatch.undo()
    assert store.get(key).meta == {"n": 1} and store.get(fingerprint("new entry")) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{key}.json", f"{key}.npz"]


def test_a_damaged_entry_is_an_error_naming_the_file_and_the_fix(tmp_path):
    store = Cache(tmp_path)
    key = fingerprint("entry")
    store.put(key, {"a": np.ones(2)}, {})
    (tmp_path / f"{key}.npz").write_bytes(b"not a zip file")
    with pytest.raises(CacheError, match=rf"cache entry .*{key}.json .*cannot be read.*Delete both files"):
        store.get(key)
    other = fingerprint("other")
    (tmp_path / f"{other}.json").write_text((tmp_path / f"{key}.json").read_text())
    with pytest.raises(CacheError, match="edited by hand"):
        store.get(other)


def test_keys_must_be_digests_and_unwritable_folders_are_reported(tmp_path):
    with pytest.raises(ValueError, match="hex digests"):
        Cache(tmp_path).get("../etc/passwd")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CacheError, match="cannot write to the cache folder .*--no-cache"):
        Cache(blocker / "cache").put(fingerprint("x"), {"a": np.ones(1)}, {})
