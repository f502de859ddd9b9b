"""Tests of descriptive_table and correlation_table on plm::Grunfeld.

Expected numbers come from Python's ``statistics`` module and ``numpy.corrcoef`` with the textbook
t test, not from clusterdx.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from docx import Document
from scipy import stats

from clusterdx.errors import DataError, StudySpecError
from clusterdx.report import correlation_table, descriptive_table

VARIABLES = ["inv", "value", "capital"]


def test_descriptive_values(grunfeld, tmp_path):
    frame = grunfeld.copy()
    frame.loc[3, "inv"] = np.nan
    table = descriptive_table(frame, VARIABLES, {"inv": "投资"}, "zh", digits=2, title="描述性统计")
    assert table.grid.header_cells(0) == [
        "变量",
        "观测值",
        "均值",
        "标准差",
        "最小值",
        "中位数",
        "最大值",
    ]
    rows, document = _docx_rows(table.to_docx(tmp_path / "d.docx"))
    assert rows[0] == table.grid.header_cells(0)
    for row, name in zip(rows[1:], VARIABLES, strict=True):
        values = [v for v in frame[name].tolist() if not math.isnan(v)]
        expected = [
            str(len(values)),
            *(
                f"{v:.2f}"
                for v in (
                    statistics.fmean(values),
                    statistics.stdev(values),
                    min(values),
                    statistics.median(values),
                    max(values),
                )
            ),
        ]
        assert row[1:] == expected, name
    assert rows[1][0] == "投资" and rows[1][1] == "199"
    assert document.paragraphs[0].text == "描述性统计"


def _docx_rows(path):
    document = Document(str(path))
    return [[c.text for c in row.cells] for row in document.tables[0].rows], document


def test_descriptive_errors_name_the_column(grunfeld):
    with pytest.raises(DataError, match=r"columns \['invest'\] are not in the data"):
        descriptive_table(grunfeld, ["invest"])
    frame = grunfeld.assign(name=grunfeld["firm"].astype(str))
    with pytest.raises(DataError, match=r"columns \['name'\] are not numeric"):
        descriptive_table(frame, ["inv", "name"])
    with pytest.raises(
        StudySpecError, match=r"digits=-1 must be 'auto' or an integer from 0 to 10"
    ):
        descriptive_table(grunfeld, ["inv"], digits=-1)


def _t_test_p(r: float, n: int) -> float:
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return 2 * stats.t.sf(abs(t), n - 2)


def test_correlation_values_and_stars(grunfeld):
    frame = grunfeld.assign(noise=np.random.default_rng(7).normal(size=len(grunfeld)))
    names = [*VARIABLES, "noise"]
    table = correlation_table(frame, names, {"inv": "Investment"}, "en")
    body = [list(r) for r in table.grid.body]
    assert body[0][0] == "(1) Investment" and body[3][0] == "(4) noise"
    matrix = np.corrcoef(frame[names].to_numpy(), rowvar=False)
    for i in range(4):
        assert body[i][i + 1] == "1.000"
        assert all(c == "" for c in body[i][i + 2 :])
        for j in range(i):
            r = matrix[i, j]
            p = _t_test_p(r, len(frame))
            expected = f"{r:.3f}" + "*" * sum(p < a for a in (0.1, 0.05, 0.01))
            assert body[i][j + 1] == expected, (names[i], names[j])
    assert table.grid.notes[0] == (
        "Notes: Pearson correlation coefficients. "
        "*, **, *** denote significance at the 10%, 5%, 1% levels."
    )


def test_spearman_uses_pairwise_complete_rows():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, np.nan], "b": [2.0, 1, 4, 3, 5, 9.0]})
    table = correlation_table(frame, ["a", "b"], method="spearman", stars=(), lang="zh")
    rho = np.corrcoef([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])[0, 1]  # ranks equal the values here
    assert table.grid.body[1][1] == f"{rho:.3f}"
    assert table.grid.notes[0] == "注：表中为Spearman秩相关系数。"
    with pytest.raises(StudySpecError, match=r"method='kendall' is not one of the allowed values"):
        correlation_table(frame, ["a", "b"], method="kendall")
