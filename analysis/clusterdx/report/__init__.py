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

from typing import TYPE_CHECKING

from clusterdx._lazy import exported

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


__getattr__, __dir__ = exported(__name__, _HOMES, modules=("figures",))
