"""The pipeline's digest kept between processes (analysis.corpus.store._kept_digest): taken
from CACHE_DIR only while every file and folder it was computed from is as it was."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from analysis import config
from analysis.corpus import store

OLD_NS = 1_600_000_000 * 10**9  # September 2020: older than any digest taken by a test


class _Dist:
    def __init__(self, path: Path, version: str):
        self._path, self.version = path, version


@pytest.fixture()
def world(tmp_path, monkeypatch):
    """A package of two modules, a data folder and one library's .dist-info folder, all
    modified long ago; the cache in tmp_path/cache."""
    package = tmp_path / "pkg"
    (package / "corpus").mkdir(parents=True)
    modules = [package / "corpus" / "a.py", package / "corpus" / "b.py"]
    modules[0].write_text("from .b import x\n", encoding="utf-8")
    modules[1].write_text("x = 1\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / store._DATA_FILES[0]).write_text("计生协 5 n\n", encoding="utf-8")
    lib = tmp_path / "site" / "jieba-0.42.1.dist-info"
    lib.mkdir(parents=True)
    for path in [*modules, package / "corpus", package, data / store._DATA_FILES[0], data, lib]:
        os.utime(path, ns=(OLD_NS, OLD_NS))
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(config, "DATA_DIR", data)
    monkeypatch.setattr(store, "_package", lambda: package)
    monkeypatch.setattr(store, "pipeline_modules", lambda: list(modules))
    monkeypatch.setattr(store, "_LIBRARIES", ("jieba",))
    monkeypatch.setattr(store, "distribution", lambda name: _Dist(lib, "0.42.1"))
    return {"modules": modules, "data": data, "lib": lib, "package": package}


def test_a_digest_is_kept_and_taken_while_nothing_changed(world):
    computed = store._computed_digest()
    assert (store._digest_file()).exists()
    assert store._kept_digest() == computed
    kept = json.loads((store._digest_file()).read_text(encoding="utf-8"))
    watched = set(kept["state"])
    # the modules, their folder, the data files (one absent), the data folder, the library
    assert watched == {str(p) for p in [*world["modules"], world["package"] / "corpus", world["data"],
                                        world["lib"], *(world["data"] / n for n in store._DATA_FILES)]}
    assert kept["state"][str(world["data"] / store._DATA_FILES[1])] == [-1, -1, -1]


@pytest.mark.parametrize("change", ["module", "new module", "data file", "new data file", "library"])
def test_any_change_of_what_it_was_computed_from_computes_it_again(world, change):
    before = store._computed_digest()
    assert store._kept_digest() == before
    if change == "module":
        world["modules"][1].write_text("x = 2\n", encoding="utf-8")  # the same size, a new time
    elif change == "new module":
        (world["package"] / "corpus" / "c.py").write_text("", encoding="utf-8")
    elif change == "data file":
        (world["data"] / store._DATA_FILES[0]).write_text("计生协 6 n\n", encoding="utf-8")
    elif change == "new data file":
        (world["data"] / store._DATA_FILES[1]).write_text("的\n", encoding="utf-8")
    else:
        world["lib"].rename(world["lib"].with_name("jieba-0.42.2.dist-info"))  # an upgrade
    assert store._kept_digest() is None
    if change in ("module", "data file", "new data file"):
        assert store._computed_digest() != before


def test_a_digest_computed_within_the_margin_of_a_change_is_not_kept(world):
    world["modules"][1].write_text("x = 3\n", encoding="utf-8")  # modified just now
    store._computed_digest()
    assert not (store._digest_file()).exists()
    assert store._kept_digest() is None


def test_another_python_path_or_package_does_not_take_it(world, monkeypatch):
    computed = store._computed_digest()
    monkeypatch.setattr(sys, "path", [*sys.path, "/elsewhere"])
    assert store._kept_digest() is None
    assert store._computed_digest() == computed  # kept beside the other context's
    monkeypatch.setattr(sys, "path", sys.path[:-1])
    assert store._kept_digest() == computed
    monkeypatch.setattr(store, "_package", lambda: world["package"] / "corpus")
    assert store._kept_digest() is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not a record"])
def test_a_damaged_kept_digest_is_computed_again(world, damage):
    store._computed_digest()
    path = store._digest_file()
    text = path.read_text(encoding="utf-8")
    path.write_text({"garbage": "\x00\x01", "truncated": text[: len(text) // 2],
                     "not a record": "[1, 2]"}[damage], encoding="utf-8")
    assert store._kept_digest() is None


def test_a_cache_that_cannot_be_written_is_no_fault(world, monkeypatch, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(config, "CACHE_DIR", blocked / "cache")  # a folder inside a file
    assert store._computed_digest() == store._computed_digest()
    assert store._kept_digest() is None


def test_the_real_packages_digest_is_the_same_kept_or_computed(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    computed = store._computed_digest()
    kept = store._kept_digest()
    # None only where a file of the package was modified in the last 2 s (a checkout just made)
    assert kept in (computed, None)
    if kept is None:
        assert not (store._digest_file()).exists()
