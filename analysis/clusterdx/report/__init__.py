"""Paper-ready output: tables (LaTeX, Word, HTML, Markdown, Excel), figures and the results index.

table = clusterdx.report.RegressionTable([fe, sdm], lang="zh", labels={"demand": "市场需求"})
table.to_docx("reports/tables/baseline.docx")
clusterdx.report.effects_table({"SDM": sdm.impacts(draws=1000, seed=0)}).save("reports/tables/effects")
clusterdx.report.figures.lisa_map(panel, "dt", W, path="reports/figures/lisa_dt.png")
clusterdx.report.write_index("reports")

Figures live in :mod:`clusterdx.report.figures` (imported on first use: it loads matplotlib).
"""

from __future__ import annotations

from clusterdx.report.index import write_index
from clusterdx.report.spatial_tables import effects_table, moran_table, tests_table
from clusterdx.report.tables import RegressionTable, Table, correlation_table, descriptive_table

__all__ = [
    "RegressionTable",
    "Table",
    "correlation_table",
    "descriptive_table",
    "effects_table",
    "moran_table",
    "tests_table",
    "write_index",
]
