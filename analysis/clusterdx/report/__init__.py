"""Paper-ready output: tables (LaTeX, Word, HTML, Markdown, Excel), figures and the results index.

table = clusterdx.report.RegressionTable([fe, sdm], lang="zh", labels={"demand": "市场需求"})
table.to_docx("reports/tables/baseline.docx")
clusterdx.report.effects_table({"SDM": sdm.impacts(draws=1000, seed=0)}).save("reports/tables/effects")
clusterdx.report.figures.lisa_map(panel, "dt", W, path="reports/figures/lisa_dt.png")
clusterdx.report.write_index("reports")

Figures live in :mod:`clusterdx.report.figures` (imported on first use: it loads matplotlib), so
``clusterdx.report.figures`` works as an attribute without an import of its own.
"""

from __future__ import annotations

import importlib
from typing import Any

from clusterdx.report.bundle import write_bundle
from clusterdx.report.index import write_index
from clusterdx.report.spatial_tables import effects_table, moran_table, tests_table
from clusterdx.report.study_tables import group_descriptive_table, indicator_table
from clusterdx.report.tables import RegressionTable, Table, correlation_table, descriptive_table

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
    """Import :mod:`clusterdx.report.figures` on first access (it loads matplotlib)."""
    if name == "figures":
        return importlib.import_module("clusterdx.report.figures")
    raise AttributeError(f"module 'clusterdx.report' has no attribute {name!r}")
