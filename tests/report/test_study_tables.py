"""clusterdx.report.study_tables: the indicator-system table and descriptives by cluster type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.report import group_descriptive_table, indicator_table
from clusterdx.report._grid import format_number


@pytest.fixture(scope="module")
def typed() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    types = rng.choice(["symbiotic", "epiphytic", "parasitic"], size=60)
    frame = pd.DataFrame(
        {"cluster_type": types, "dt": rng.normal(size=60), "gov": rng.normal(size=60)}
    )
    frame.loc[[3, 7], "cluster_type"] = None
    frame.loc[5, "gov"] = np.nan
    return frame


def test_group_descriptives_equal_pandas_groupby(typed):
    table = group_descriptive_table(
        typed, ["dt", "gov"], "cluster_type", {"dt": "数字化转型"}, "zh",
        order=("symbiotic", "epiphytic", "parasitic"), digits=4,
    )  # fmt: skip
    assert [s.text for s in table.grid.header[0]] == ["", "共生型", "附生型", "寄生型"]
    assert [s.text for s in table.grid.header[1]][:4] == ["变量", "均值", "标准差", "观测值"]
    assert table.grid.group_rule == ((1, 3), (4, 3), (7, 3))
    stats = typed.groupby("cluster_type")[["dt", "gov"]].agg(["mean", "std", "count"])
    for row, name in zip(table.grid.body, ["dt", "gov"], strict=True):
        expected = []
        for level in ("symbiotic", "epiphytic", "parasitic"):
            m, s, n = (
                stats.loc[level, (name, "mean")],
                stats.loc[level, (name, "std")],
                stats.loc[level, (name, "count")],
            )
            expected += [format_number(m, 4), format_number(s, 4), str(n)]
        assert list(row[1:]) == expected
    assert table.grid.body[0][0] == "数字化转型"
    assert table.grid.notes[0] == "注：标准差为样本标准差；2个地区-年份无cluster_type，未列入。"
    en = group_descriptive_table(
        typed, ["dt"], "cluster_type", {"cluster_type": "cluster type"}, "en"
    )
    assert [s.text for s in en.grid.header[0]][1:] == ["Epiphytic", "Parasitic", "Symbiotic"]
    assert en.grid.notes[0].endswith("2 region-years without a cluster type are left out.")


def test_group_descriptives_errors(typed):
    with pytest.raises(DataError, match=r"group column 'type' is not in the data"):
        group_descriptive_table(typed, ["dt"], "type")
    with pytest.raises(DataError, match=r"group column 'cluster_type' is missing in every row"):
        group_descriptive_table(typed.assign(cluster_type=None), ["dt"], "cluster_type")


def test_indicator_table_in_english_with_several_indices():
    system = pd.DataFrame(
        {
            "index": ["dt", "dt", "green"],
            "dimension": ["dt", "dt", "green"],
            "indicator": ["ports", "users", "smog"],
            "direction": ["positive", "positive", "negative"],
            "unit": ["万个/万人", "1", "吨"],
            "weight": [0.4, 0.6, 1.0],
        }
    )
    table = indicator_table(
        system, "en", labels={"dt": "Digital", "ports": "Ports"}, by_year=["dt"]
    )
    header = [s.text for s in table.grid.header[0]]
    assert header == ["Index", "Dimension", "Indicator", "Unit", "Direction", "Entropy weight"]
    assert table.grid.body == (
        ("Digital", "Digital", "Ports", "10,000 units/10,000 persons", "Positive", "0.400"),
        ("", "", "users", "—", "Positive", "0.600"),
        ("green", "green", "smog", "t", "Negative", "1.000"),
    )
    assert "Weights of Digital computed year by year" in table.grid.notes[0]
    with pytest.raises(DataError, match="the study has no entropy indicator"):
        indicator_table(system.iloc[:0], "zh")
