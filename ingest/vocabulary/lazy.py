"""Public names of a package, imported from their module on first use (PEP 562).

``import ingest`` or ``import retrieval`` then costs nothing: a caller pays for the build
stack (file readers, the parser) or the engine (LangChain, the index) only when it uses a
name that needs them, and importing a light module of the package (its vocabulary) never
drags the rest in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``exports`` maps a module to the names it
    gives the package's public API."""
    home = {name: module for module, names in exports.items() for name in names}

    def load(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return load
