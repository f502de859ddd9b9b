"""Names of a package imported from their modules on first access (PEP 562 ``__getattr__``).

A package lists where each public name lives and binds the two functions this returns, so that
importing it (or one of its modules) does not import every module it re-exports::

    __getattr__, __dir__ = exported(__name__, {"fit": "models"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def exported(
    package: str, homes: Mapping[str, str], modules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` of ``package``: ``homes`` maps each name to the module of
    the package that defines it; ``modules`` are submodules reachable as attributes.

    A name is bound in the package once imported, so later look-ups are plain attribute reads.
    """
    namespace = vars(sys.modules[package])
    submodules = frozenset(modules)

    def __getattr__(name: str) -> Any:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        if name in homes:
            value = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes, *submodules})

    return __getattr__, __dir__
