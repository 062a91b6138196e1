"""The lock files (requirements/*.txt, made by `make lock`) agree with pyproject.toml: every
dependency is pinned to a version its range allows, every pin carries hashes, and nothing is
pinned as a direct dependency that pyproject.toml no longer names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCKS = {
    "production": (ROOT / "requirements" / "production.txt", PROJECT["dependencies"]),
    "dev": (
        ROOT / "requirements" / "dev.txt",
        PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"],
    ),
}
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)")


def pins(text: str) -> dict[str, tuple[str, int, list[str]]]:
    """name → (version, number of hashes, the lines that say why it is there)."""
    found: dict[str, tuple[str, int, list[str]]] = {}
    current = None
    for line in text.splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match.group(1))
            found[current] = (match.group(2), 0, [])
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes, via = found[current]
            found[current] = (version, hashes + 1, via)
        elif current and line.strip().startswith("#"):
            found[current][2].append(line.strip("# ").strip())
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock: str) -> None:
    path, wanted = LOCKS[lock]
    text = path.read_text(encoding="utf-8")
    pinned = pins(text)
    assert pinned, path
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {path.name}: run make lock"
        version = pinned[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{path.name} pins {name}=={version}, outside {requirement.specifier}: run make lock"
        )
    assert all(hashes > 0 for _, hashes, _ in pinned.values())
    assert "--extra-index-url" not in text and "--find-links" not in text  # no machine's paths


@pytest.mark.parametrize("lock", LOCKS)
def test_nothing_is_pinned_for_a_dependency_pyproject_no_longer_names(lock: str) -> None:
    path, wanted = LOCKS[lock]
    named = {canonicalize_name(Requirement(line).name) for line in wanted}
    direct = {
        name
        for name, (_, _, via) in pins(path.read_text(encoding="utf-8")).items()
        if any("pyproject.toml" in reason for reason in via)
    }
    assert direct <= named, f"{sorted(direct - named)} in {path.name}: run make lock"


def test_the_check_sees_a_pin_outside_its_range() -> None:
    text = "flask==2.0.0 \\\n    --hash=sha256:00\n    # via pyydaapua (pyproject.toml)\n"
    version = pins(text)["flask"][0]
    assert not Requirement("Flask>=3.1,<4").specifier.contains(version)
