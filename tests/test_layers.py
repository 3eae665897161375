"""The pure layers stay pure: parsing, date phrases and the notification policy import
without Flask or SQLAlchemy, so they can be tested and reused on their own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "module", ["tracker.reports.parsing", "tracker.notifications.policy", "tracker.workdays"]
)
def test_pure_module_imports_neither_flask_nor_sqlalchemy(module: str) -> None:
    check = (
        f"import sys, {module}; "
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') "
        "if m in sys.modules); print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# --- Feature packages depend on one another one way ---------------------------------------

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

# Lowest first: a feature package may import only the packages before it (the README's
# "Development" section explains each step). Anything else reaches up through the hooks the
# lower package offers: the tasks' events and list narrowings, auth's settings blocks.
LAYERS = (
    "auth",  # users and signing in
    "tasks",  # tasks, their permissions and services; announces events
    "reports",  # imports reports into tasks
    "notifications",  # reminders and emails about tasks; subscribes to the tasks' events
    "dashboard",  # views over tasks, with the digests' "and N more" lists
    "reporting",  # the progress report and the leadership digest, over the dashboard's scope
    "feeds",  # calendar feeds of tasks; a block on auth's settings page
    "admin",  # users, departments, the outbox
    "main",  # the home page, language switch, error pages
    "demo",  # loads everything
)
# Modules at the top of the package are shared by the features and import none of them,
# except the factory and the console script, which assemble them.
COMPOSITION_ROOTS = {"__init__", "cli"}
# The pure layers (see the test above) are leaves anyone may import, the models included:
# importing them ties no feature to another.
PURE_MODULES = ("tracker.reports.parsing", "tracker.notifications.policy", "tracker.workdays")


def _is_pure(module: str) -> bool:
    return any(module == pure or module.startswith(pure + ".") for pure in PURE_MODULES)


def _imported_tracker_modules(path: Path) -> set[str]:
    """Every `tracker.…` module a source file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("tracker.")}


def _feature_of(module: str) -> str | None:
    """The feature package a module belongs to; None for shared and pure modules."""
    if _is_pure(module):
        return None
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (TRACKER / parts[1]).is_dir() else None


def _module_name(path: Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def feature_graph() -> dict[str, set[str]]:
    """Which feature package imports which other (module-level `from tracker import x`
    included), built from the source files with `ast`."""
    graph: dict[str, set[str]] = {}
    for package in sorted(p for p in TRACKER.iterdir() if (p / "__init__.py").exists()):
        if package.name in ("static", "translations", "templates", "migrations"):
            continue
        edges: set[str] = set()
        for path in package.rglob("*.py"):
            if _is_pure(_module_name(path)):
                continue  # checked on its own below
            for module in _imported_tracker_modules(path):
                feature = _feature_of(module)
                if feature is not None and feature != package.name:
                    edges.add(feature)
        graph[package.name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, as a path that returns to its start, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, ())):
            cycle = visit(target, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def test_feature_packages_import_one_another_without_a_cycle() -> None:
    cycle = _cycle(feature_graph())
    assert cycle is None, "import cycle between feature packages: " + " -> ".join(cycle or [])


def test_a_feature_imports_only_the_layers_below_it() -> None:
    graph = feature_graph()
    assert set(graph) == set(LAYERS), "a new feature package needs its place in LAYERS"
    upward = sorted(
        f"tracker.{source} imports tracker.{target}"
        for source, targets in graph.items()
        for target in targets
        if LAYERS.index(target) >= LAYERS.index(source)
    )
    assert upward == []


def test_shared_modules_import_no_feature() -> None:
    offending = sorted(
        f"{path.name} imports {module}"
        for path in TRACKER.glob("*.py")
        if path.stem not in COMPOSITION_ROOTS
        for module in _imported_tracker_modules(path)
        if _feature_of(module) is not None
    )
    assert offending == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"tasks": {"notifications"}, "notifications": {"tasks"}}) == [
        "notifications",
        "tasks",
        "notifications",
    ]
    assert _cycle({"tasks": set(), "notifications": {"tasks"}}) is None


def test_pure_modules_import_only_pure_modules() -> None:
    offending = sorted(
        f"{_module_name(path)} imports {module}"
        for path in TRACKER.rglob("*.py")
        if _is_pure(_module_name(path))
        for module in _imported_tracker_modules(path)
        if not _is_pure(module) and module != "tracker"
    )
    assert offending == []
