"""clusterdx.report.analysis_rows: threshold and mediation statistics as table rows."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from clusterdx.report import descriptive_table
from clusterdx.report.analysis_rows import mediation_rows, threshold_rows


def test_threshold_rows():
    res = SimpleNamespace(
        thresholds=pd.Series({"gamma1": 0.7623}),
        ci=pd.DataFrame({"lower": [0.70], "upper": [0.81]}, index=["gamma1"]),
        tests=pd.DataFrame({"F": [40.02], "pvalue": [0.004]}, index=["0 vs 1"]),
    )
    assert threshold_rows(res, "zh", "auto", 3) == [
        ("门槛值γ1", "", "0.762"),
        ("γ1的95%置信区间", "", "[0.700, 0.810]"),
        ("门槛检验F统计量（0→1）", "", "40.020"),
        ("自抽样p值（0→1）", "", "0.0040"),
    ]


def test_mediation_rows_and_with_rows():
    table = pd.DataFrame(
        {"estimate": [0.001632], "se": [0.010078], "stat": [0.161951], "lower": [-0.01456]}
        | {"upper": [0.027132]},
        index=["indirect a*b"],
    )
    rows = mediation_rows(SimpleNamespace(table=table), "en", 3, 2)
    assert rows == [
        ("Indirect effect a×b", "0.002"),
        ("", "(0.010)"),
        ("Sobel z", "0.162"),
        ("95% bootstrap CI of a×b", "[-0.015, 0.027]"),
    ]
    frame = pd.DataFrame({"dt": [1.0, 2.0]})
    base = descriptive_table(frame, ["dt"], lang="en")
    extended = base.with_rows([("extra", *[""] * (base.grid.ncols - 1))])
    assert extended.grid.body[-1][0] == "extra" and len(base.grid.body) == 1
