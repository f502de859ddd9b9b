"""Paper-ready output: regression, descriptive and correlation tables (LaTeX, Word, HTML, Markdown, Excel).

table = clusterdx.report.RegressionTable([fe, sdm], lang="zh", labels={"demand": "市场需求"})
table.to_docx("reports/tables/baseline.docx")
"""

from __future__ import annotations

from clusterdx.report.tables import RegressionTable, Table, correlation_table, descriptive_table

__all__ = ["RegressionTable", "Table", "correlation_table", "descriptive_table"]
