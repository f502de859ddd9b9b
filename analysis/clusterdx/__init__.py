"""ClusterDX: the digital transformation of industrial clusters, from raw yearbooks to paper tables.

Submodules are imported on first use so that ``import clusterdx`` stays fast::

    import clusterdx as cdx
    study = cdx.Study.load("analysis/study.toml")
    panel, audit = cdx.data.build_panel(study)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = {
    "data",
    "regions",
    "indicators",
    "weights",
    "spatial",
    "panel",
    "paneldata",
    "report",
    "tasks",
    "compute",
    "errors",
    "study",
    "disparity",
    "typology",
    "datasets",
}

__all__ = ["Study", "__version__", *sorted(_SUBMODULES)]

if TYPE_CHECKING:
    from clusterdx.study import Study


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"clusterdx.{name}")
    if name == "Study":
        return importlib.import_module("clusterdx.study").Study
    raise AttributeError(f"module 'clusterdx' has no attribute {name!r}")
