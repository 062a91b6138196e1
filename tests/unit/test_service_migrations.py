"""Every migration stands on its own: a revision is frozen when it is written, so it never
imports the application, whose code goes on changing after it."""

from __future__ import annotations

import ast
import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
REVISIONS = sorted(VERSIONS.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (in functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("__import__", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def test_there_are_revisions() -> None:
    assert len(REVISIONS) >= 5


@pytest.mark.parametrize("path", REVISIONS, ids=lambda path: path.name)
def test_revision_does_not_import_the_application(path: Path) -> None:
    application = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] == "pyydaapua" or name.startswith(".")
    }
    assert not application, f"{path.name} imports {sorted(application)}"


def test_the_check_sees_application_imports(tmp_path: Path) -> None:
    revision = tmp_path / "0099_example.py"
    revision.write_text(
        "import pyydaapua.models\n"
        "def upgrade():\n"
        "    from pyydaapua.workdays import working_days_between\n",
        encoding="utf-8",
    )
    assert {"pyydaapua.models", "pyydaapua.workdays"} <= imported_modules(revision)


def load_revision(name: str) -> ModuleType:
    (path,) = VERSIONS.glob(f"{name}_*.py")
    spec = importlib.util.spec_from_file_location(f"revision_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),  # the same day
        (date(2026, 11, 23), date(2026, 11, 24), 1),  # Monday to Tuesday
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Friday over the weekend to Monday
        (date(2026, 11, 28), date(2026, 11, 29), 0),  # Saturday to Sunday
        (date(2025, 12, 23), date(2025, 12, 29), 1),  # Christmas Eve to Boxing Day are holidays
        (date(2026, 6, 18), date(2026, 6, 22), 1),  # Midsummer Eve is a holiday
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # Good Friday and Easter Monday
        (date(2026, 11, 30), date(2026, 11, 27), -1),  # earlier: negative
    ],
)
def test_revision_0004_counts_working_days_as_the_app_did(
    start: date, end: date, expected: int
) -> None:
    revision = load_revision("0004")
    assert revision.working_days_between(start, end) == expected
