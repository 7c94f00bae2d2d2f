"""The dependency versions CI tests are the ones pyproject.toml promises: the image's lock file stays inside every
range, and .ci/run's lowest-versions step installs exactly each range's lower bound."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _direct_requirements() -> list[Requirement]:
    """What a `pip install '.[postgres]'` asks for by name: the dependencies and the postgres extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"] + project["optional-dependencies"]["postgres"]]


def _pins(path: Path) -> dict[str, Version]:
    """The `name==version` lines of a requirements or constraints file, by normalised name."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _lower_bound(requirement: Requirement) -> Version:
    bounds = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
    assert len(bounds) == 1, f"{requirement}: give one lower bound (>=) so the lowest versions can be tested"
    return bounds[0]


def test_the_image_lock_pins_every_dependency_inside_its_range():
    locked = _pins(ROOT / "requirements.lock")
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"requirements.lock has no pin for {requirement.name}"
        assert requirement.specifier.contains(locked[name]), f"requirements.lock: {name} {locked[name]} ∉ {requirement}"


def test_the_lowest_versions_step_installs_each_lower_bound_exactly():
    lowest = _pins(ROOT / "constraints-lowest.txt")
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert lowest.get(name) == _lower_bound(requirement), (
            f"constraints-lowest.txt pins {name} at {lowest.get(name)}, but pyproject.toml says {requirement}"
        )
