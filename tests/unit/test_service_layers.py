"""The layers of the code, read from its own imports (those inside functions too).

From the ground up: ``database.py`` and ``rules/`` (pure Python); ``models.py``; ``web/`` (the
plumbing: it imports no model and no capability); ``audit.py``; the capability packages;
``create_app`` in ``pyydaapua/__init__.py``. No module imports another that imports it back,
however long the way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pyydaapua"
CAPABILITIES = (
    "accounts",
    "audit",
    "casework",
    "catalogue",
    "data_rights",
    "inbox",
    "intake",
    "notices",
    "reporting",
    "status_page",
    "tools",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """The project's modules that ``path`` imports; ``from package import name`` counts as
    an import of the module ``package.name`` when there is one."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name in MODULES}


GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def in_area(module: str, area: str) -> bool:
    return module == area or module.startswith(area + ".")


def test_web_imports_no_model_and_no_capability() -> None:
    forbidden = ("pyydaapua.models", *(f"pyydaapua.{name}" for name in CAPABILITIES))
    found = {
        module: sorted(name for name in imported if any(in_area(name, f) for f in forbidden))
        for module, imported in GRAPH.items()
        if in_area(module, "pyydaapua.web")
    }
    assert {module: names for module, names in found.items() if names} == {}


def test_the_rules_are_plain_python() -> None:
    for module, path in MODULES.items():
        if not in_area(module, "pyydaapua.rules"):
            continue
        outside = {name for name in GRAPH[module] if not in_area(name, "pyydaapua.rules")}
        assert outside == set(), module
        libraries = {
            alias.name.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert not libraries & {"flask", "flask_babel", "sqlalchemy", "flask_sqlalchemy"}, module


def test_the_database_module_is_the_ground() -> None:
    assert GRAPH["pyydaapua.database"] == set()


def test_no_import_circle() -> None:
    """Tarjan's strongly connected components: a component of more than one module is a
    circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in GRAPH[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert circles == []


def test_the_graph_is_read() -> None:
    """The reading itself: known imports are seen (a test of an empty graph would pass)."""
    assert "pyydaapua.database" in GRAPH["pyydaapua.models"]
    assert "pyydaapua.rules.codes" in GRAPH["pyydaapua.web.i18n"]
    assert "pyydaapua.accounts.auth" in GRAPH["pyydaapua.inbox.views"]


def is_module(name: str) -> bool:
    """``name`` is one of the project's modules (the service's or the tests')."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def renamed_module_imports(path: Path) -> list[str]:
    """``from pyydaapua.x import module as other_name`` (or a test helper module) in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                imported = f"{node.module}.{alias.name}"
                if is_module(imported) and alias.asname not in (None, alias.name):
                    found.append(f"{imported} as {alias.asname}")
    return found


def test_modules_are_imported_by_their_own_names() -> None:
    sources = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    sources += [*(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "deploy").rglob("*.py")]
    found = {str(path.relative_to(ROOT)): renamed_module_imports(path) for path in sources}
    assert {path: names for path, names in found.items() if names} == {}


def test_a_renamed_module_import_is_seen(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("from pyydaapua.casework import changes as casework\n", encoding="utf-8")
    assert renamed_module_imports(source) == ["pyydaapua.casework.changes as casework"]


def test_a_module_name_means_one_module() -> None:
    """Modules that other packages import have names of their own (``casework.changes``, not
    a third ``domain``); views, forms and the package's ``__init__`` are the exceptions every
    package shares, and are imported only by their own package and ``create_app``."""
    shared = {"__init__", "views", "forms"}
    by_name: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        if path.stem not in shared:
            by_name.setdefault(path.stem, []).append(module)
    assert {name: found for name, found in by_name.items() if len(found) > 1} == {}


# What a test module may be named after: a package or top-level module of the service, or
# "service" for what holds for the whole of it (the layers, the docs, production over HTTPS).
AREAS = (
    {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    | {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    | {"service"}
)


def area_of(test_module: str) -> str | None:
    """The area ``test_<area>[_topic].py`` is named after, the longest that fits, or None."""
    name = test_module.removeprefix("test_")
    fitting = [area for area in AREAS if name == area or name.startswith(area + "_")]
    return max(fitting, key=len) if fitting else None


def test_test_files_are_named_after_what_they_test() -> None:
    unnamed = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").rglob("test_*.py"))
        if area_of(path.stem) is None
    ]
    assert unnamed == []


def test_a_test_files_area_is_read() -> None:
    assert area_of("test_casework_changes") == "casework"
    assert area_of("test_data_rights_retention") == "data_rights"
    assert area_of("test_status_page") == "status_page"
    assert area_of("test_staff") is None
