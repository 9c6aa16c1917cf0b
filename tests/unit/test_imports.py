"""How the product's packages import each other: no cycle, and the app through public APIs.

A cycle makes import order matter (a module sees its partner half-loaded) and knots two jobs
together. The graph is read from the source with `ast`: every import counts, at module
level, inside functions (deferred imports still tie the modules together) and under
`TYPE_CHECKING` (the type checker follows those too).

The app (app.py, appkit/, views/) uses `retrieval`'s public API and `ingest`'s `build`, never a
module inside them, so the packages can be rearranged without touching the app.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _targets(node: ast.AST, importer: str, is_package: bool, modules: set[str]) -> Iterator[str]:
    """The product modules one import statement names: `from a import b` names the module
    a.b when there is one, else a itself (b is then a name defined in a)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in modules)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in modules:
                yield submodule
            elif source in modules:
                yield source


def imports_of(importer: str, path: Path, modules: set[str]) -> set[str]:
    """The product modules `importer` loads, directly or as a parent package.

    Importing `a.b.c` runs `a` and `a.b` first, so those count too, except the importer's
    own parents: Python has run them before the importer starts. A name taken from one
    of them (`from retrieval import Engine` inside retrieval/) still counts."""
    own_parents = set(_ancestors(importer))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for target in _targets(node, importer, path.name == "__init__.py", modules):
            found.add(target)
            found.update(a for a in _ancestors(target) if a in modules and a not in own_parents)
    return found - {importer}


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


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


def test_a_name_from_the_own_package_counts(tmp_path: Path) -> None:
    source = tmp_path / "step.py"
    source.write_text("from retrieval import Engine\nfrom retrieval.llm import local\n")
    modules = set(module_files())
    # The package __init__ is a real dependency here; retrieval.llm is only a parent.
    assert imports_of("retrieval.llm.step", source, modules) == {"retrieval", "retrieval.llm.local"}


def test_cycles_are_found_when_present() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def app_files() -> list[Path]:
    pages = sorted((ROOT / "views").glob("*.py"))
    return [ROOT / "app.py", *sorted((ROOT / "appkit").glob("*.py")), *pages]


def product_imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) of each import of ingest or retrieval in one file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            module, names = node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            module, names = node.names[0].name, []
        else:
            continue
        if module.split(".")[0] in PACKAGES:
            yield node.lineno, module, names


# What the app may import from each package: retrieval's public API; ingest's build only.
ALLOWED = {
    "retrieval": set(importlib.import_module("retrieval").__all__),
    "ingest": {"build"},
}


def test_the_app_imports_only_public_apis() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module} {names}"
        for path in app_files()
        for line, module, names in product_imports(path)
        if module not in ALLOWED or not names or not set(names) <= ALLOWED[module]
    ]
    assert not wrong, "the app reaches inside a package:\n" + "\n".join(wrong)


def test_the_app_check_sees_the_apps_imports() -> None:
    found = {module for path in app_files() for _, module, _ in product_imports(path)}
    assert found == {"retrieval", "ingest"}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert not missing


def _loaded_after(statement: str) -> set[str]:
    """Top-level modules loaded by running `statement` in a fresh interpreter."""
    script = f"import sys\n{statement}\nprint(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


HEAVY = {"langchain_core", "chromadb", "torch", "sentence_transformers", "bs4", "pypdf"}


@pytest.mark.parametrize(
    "statement",
    ["import retrieval", "import ingest", "from ingest.vocabulary.records import Decision"],
)
def test_importing_a_package_or_its_vocabulary_loads_nothing_heavy(statement: str) -> None:
    assert not _loaded_after(statement) & HEAVY


def test_reading_the_index_identity_needs_no_file_readers() -> None:
    assert not _loaded_after("import retrieval.index") & {"bs4", "pypdf"}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_public_name_is_shadowed_by_a_submodule(package: str) -> None:
    # Importing a submodule sets it as an attribute of its package: a module named like a
    # public name (`retrieval/search.py` beside `retrieval.search()`) would replace it.
    script = (
        "import importlib, inspect, pkgutil\n"
        f"package = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "shadowed = [n for n in package.__all__ if inspect.ismodule(getattr(package, n))]\n"
        "assert not shadowed, shadowed"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)


# Entry points named by convention: a package's own, and each command line's.
CONVENTIONAL = {"__init__", "__main__", "cli"}


def named_things() -> dict[str, set[str]]:
    """Name → the modules and sub-packages of that name, as paths from the repository root."""
    things: dict[str, set[str]] = {}
    for package in (*PACKAGES, "appkit"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            folders = relative.parents[:-2]  # the sub-packages holding this module
            for thing in (relative, *folders):
                name = thing.stem if thing.suffix else thing.name
                if name not in CONVENTIONAL:
                    things.setdefault(name, set()).add(str(thing))
    return things


def test_no_module_or_package_name_is_used_twice() -> None:
    """One name, one job: `filters` in two packages makes a reader ask which one."""
    twice = {name: sorted(paths) for name, paths in named_things().items() if len(paths) > 1}
    assert not twice, f"names used twice: {twice}"


def test_the_name_check_sees_sub_packages() -> None:
    assert named_things()["vocabulary"] == {"ingest/vocabulary"}
