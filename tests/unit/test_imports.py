"""The product packages import each other without a cycle.

A cycle makes import order matter (a module sees its partner half-loaded) and knots two jobs
together. The graph is read from the source with `ast`: every import counts, at module
level, inside functions (deferred imports still tie the modules together) and under
`TYPE_CHECKING` (the type checker follows those too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ingest", "retrieval")


def module_files() -> dict[str, Path]:
    """Dotted module name → source file, for every module of the product packages."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _ancestors(name: str) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def _imported_names(node: ast.AST, importer: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement may load: `from a import b` may load a.b."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        yield source
        yield from (f"{source}.{alias.name}" for alias in node.names)


def imports_of(importer: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The product modules `importer` loads, directly or as a parent package.

    Importing `a.b.c` runs `a` and `a.b` first, so those count too, except the importer's
    own parents (Python has them loaded before the importer starts)."""
    own_parents = set(_ancestors(importer))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for name in _imported_names(node, importer, path.name == "__init__.py"):
            if name in modules:
                found.add(name)
                found.update(a for a in _ancestors(name) if a in modules)
    # `from a import b` where b is a module loads a.b; `a` itself is only a parent then.
    return found - own_parents - {importer}


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules, as a path that closes on itself."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def test_the_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    # Guards the reader itself: an empty graph would pass the cycle test vacuously.
    assert "retrieval.engine" in graph and "ingest.vocabulary.records" in graph
    assert any(target.startswith("ingest.") for target in graph["retrieval.engine"])


def test_cycles_are_found_when_present() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)
