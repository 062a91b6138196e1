"""The rules stay plain Python: no web framework, no database, nothing of the app outside them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pyydaapua.rules

RULES = Path(pyydaapua.rules.__file__).parent
FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "wtforms")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, relative imports resolved against ``package``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
    return names


def forbidden(module: str) -> bool:
    top = module.split(".")[0]
    if top in FORBIDDEN or top.startswith("flask_"):
        return True
    return top == "pyydaapua" and not (module + ".").startswith("pyydaapua.rules.")


def test_forbidden() -> None:
    assert forbidden("flask")
    assert forbidden("flask_babel")
    assert forbidden("sqlalchemy.orm")
    assert forbidden("werkzeug.wrappers")
    assert forbidden("wtforms.validators")
    assert forbidden("pyydaapua.models")
    assert forbidden("pyydaapua.web.csv_export")
    assert forbidden("pyydaapua")
    assert not forbidden("pyydaapua.rules")
    assert not forbidden("pyydaapua.rules.workdays")
    assert forbidden("pyydaapua.rulesets")
    assert not forbidden("holidays")
    assert not forbidden("datetime")


def test_relative_imports_are_resolved() -> None:
    found = imported_modules(
        "from . import times\nfrom .workdays import x\nfrom .. import models\n", "pyydaapua.rules"
    )
    assert found == {"pyydaapua.rules", "pyydaapua.rules.workdays", "pyydaapua"}


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_rule_module_is_pure(path: Path) -> None:
    found = imported_modules(path.read_text(encoding="utf-8"), "pyydaapua.rules")
    assert not {module for module in found if forbidden(module)}
