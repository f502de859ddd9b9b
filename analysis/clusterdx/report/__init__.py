"""Paper-ready output: tables (LaTeX, Word, HTML, Markdown, Excel), figures and the results index.

table = clusterdx.report.RegressionTable([fe, sdm], lang="zh", labels={"demand": "市场需求"})
table.to_docx("reports/tables/baseline.docx")
clusterdx.report.effects_table({"SDM": sdm.impacts(draws=1000, seed=0)}).save("reports/tables/effects")
clusterdx.report.figures.lisa_map(panel, "dt", W, path="reports/figures/lisa_dt.png")
clusterdx.report.write_index("reports")

The names below and :mod:`clusterdx.report.figures` are imported from their modules on first use
(PEP 562): python-docx, openpyxl and matplotlib load only when a table or figure is made, so
``clusterdx.report.figures`` works as an attribute without an import of its own.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterdx.report.bundle import write_bundle
    from clusterdx.report.index import write_index
    from clusterdx.report.spatial_tables import effects_table, moran_table, tests_table
    from clusterdx.report.study_tables import group_descriptive_table, indicator_table
    from clusterdx.report.tables import RegressionTable, Table, correlation_table, descriptive_table

_HOMES = {
    "write_bundle": "bundle",
    "write_index": "index",
    "effects_table": "spatial_tables",
    "moran_table": "spatial_tables",
    "tests_table": "spatial_tables",
    "group_descriptive_table": "study_tables",
    "indicator_table": "study_tables",
    "RegressionTable": "tables",
    "Table": "tables",
    "correlation_table": "tables",
    "descriptive_table": "tables",
}

__all__ = [
    "RegressionTable",
    "Table",
    "correlation_table",
    "descriptive_table",
    "effects_table",
    "group_descriptive_table",
    "indicator_table",
    "moran_table",
    "tests_table",
    "write_bundle",
    "write_index",
]


def __getattr__(name: str) -> Any:
    """Import a name of `__all__` from its module, or :mod:`clusterdx.report.figures`, on first
    access."""
    if name == "figures":
        return importlib.import_module("clusterdx.report.figures")
    if name in _HOMES:
        value = getattr(importlib.import_module(f"clusterdx.report.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'clusterdx.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES, "figures"})
