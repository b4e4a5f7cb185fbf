"""requirements.lock (written by ``make lock``, installed by the Makefile) matches pyproject.toml,
and the environment the tests run in is the locked one: the same libraries, hence the same
figures, on every machine."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from analysis import config

LOCK = config.ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*(.*?))?\s*\\?$")


def locked() -> dict[str, tuple[str, Marker | None]]:
    """name → (version, marker) for every pin in the lock (a name may be pinned once per
    platform or Python version; those entries are kept in a list)."""
    pins: dict[str, list[tuple[str, Marker | None]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((version, Marker(marker) if marker else None))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return [Requirement(r) for r in requirements]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in the lock: run make lock"
        for version, _ in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), \
                f"the lock pins {requirement.name}=={version}, outside {requirement.specifier}: run make lock"


def test_every_pin_carries_hashes():
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    pinned = [b for b in blocks if PIN.match(b.splitlines()[0])]
    assert pinned and all("--hash=sha256:" in b for b in pinned)


def test_the_installed_libraries_are_the_locked_ones():
    wrong = []
    for name, entries in locked().items():
        applicable = [v for v, marker in entries if marker is None or marker.evaluate()]
        if not applicable:
            continue  # another platform's or Python's package
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (lock: {applicable[0]})")
            continue
        if installed not in applicable:
            wrong.append(f"{name}: {installed} installed, the lock says {applicable[0]}")
    if wrong:
        pytest.fail("the environment is not the locked one (make install):\n" + "\n".join(wrong))
