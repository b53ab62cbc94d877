"""The conda environment lists exactly the pip dependencies, at the locked versions."""

from __future__ import annotations

import re

import yaml

from analysis import paths


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(line: str) -> tuple[str, str | None]:
    """`name` or `name==version` -> (normalised name, version or None)."""
    name, _, version = line.strip().partition("==")
    return normalise(name), version or None


def requirements_in_pins() -> dict[str, str | None]:
    lines = (paths.ROOT / "requirements.in").read_text().splitlines()
    wanted = (line for line in lines if line.strip() and not line.startswith("#"))
    return dict(split_requirement(line) for line in wanted)


def requirements_in() -> set[str]:
    return set(requirements_in_pins())


def lock_versions() -> dict[str, str]:
    text = (paths.ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", text, re.MULTILINE)
    return {normalise(name): version for name, version in pins}


def conda_pins() -> dict[str, str]:
    spec = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    pins = {}
    for item in pip_section:
        if item.startswith("-e"):
            continue
        name, version = item.split("==")
        pins[normalise(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_as_requirements_in():
    assert set(conda_pins()) == requirements_in()


def test_environment_yml_pins_match_the_lock():
    locked = lock_versions()
    for name, version in conda_pins().items():
        assert locked.get(name) == version, (name, version, locked.get(name))


def test_environment_yml_uses_python_311():
    spec = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    assert "python=3.11" in spec["dependencies"]


def test_every_direct_dependency_is_locked():
    assert requirements_in() <= set(lock_versions())


def test_pyproject_declares_the_same_direct_dependencies():
    import tomllib

    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert {split_requirement(name)[0] for name in declared} == requirements_in()


def test_versions_pinned_in_requirements_in_are_the_locked_and_declared_ones():
    import tomllib

    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    declared = dict(map(split_requirement, project["dependencies"]
                        + project["optional-dependencies"]["dev"]))
    locked = lock_versions()
    pinned = {name: version for name, version in requirements_in_pins().items() if version}
    assert pinned, "requirements.in pins the administrative-unit libraries"
    for name, version in pinned.items():
        assert locked.get(name) == version, (name, version, locked.get(name))
        assert declared.get(name) == version, (name, version, declared.get(name))
