"""Extra rows that put an analysis' own statistics into its regression table.

The threshold table gets each threshold γ, its 95 % LR-inversion interval (Hansen 2000), the F
statistic and the bootstrap p-value of the threshold test (Hansen 1999); the mediation table the
indirect effect a×b with its Sobel z and percentile bootstrap interval, in the last column (the
outcome equation with the mediator); the IV table its identification statistics (first-stage F
under the first stage; Kleibergen-Paap, Cragg-Donald, Hansen J and Anderson-Rubin under the second
stage, p-values in brackets below). Each row has one cell per table column (label first).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, format_number

_WORDS = {
    "zh": {
        "gamma": "门槛值γ{k}",
        "ci": "γ{k}的95%置信区间",
        "F": "门槛检验F统计量（{test}）",
        "p": "自抽样p值（{test}）",
        "indirect": "间接效应",
        "sobel": "Sobel z",
        "boot": "间接效应的95%自抽样置信区间",
    },
    "en": {
        "gamma": "Threshold γ{k}",
        "ci": "95% CI of γ{k}",
        "F": "Threshold test F ({test})",
        "p": "Bootstrap p ({test})",
        "indirect": "Indirect effect a×b",
        "sobel": "Sobel z",
        "boot": "95% bootstrap CI of a×b",
    },
}


def _interval(lower: float, upper: float, digits: Digits) -> str:
    if math.isnan(lower) or math.isnan(upper):
        return ""
    return f"[{format_number(lower, digits)}, {format_number(upper, digits)}]"


def _row(label: str, value: str, ncols: int) -> tuple[str, ...]:
    return (label, *([""] * (ncols - 2)), value)


def threshold_rows(res: Any, lang: lab.Lang, digits: Digits, ncols: int) -> list[tuple[str, ...]]:
    """γ, its 95 % interval, F and bootstrap p of each threshold test of ``ThresholdResult``."""
    words = _WORDS[lang]
    rows = []
    for k, (name, gamma) in enumerate(res.thresholds.items(), start=1):
        rows.append(_row(words["gamma"].format(k=k), format_number(float(gamma), digits), ncols))
        ci = res.ci.loc[name] if name in res.ci.index else None
        if ci is not None:
            text = _interval(float(ci["lower"]), float(ci["upper"]), digits)
            rows.append(_row(words["ci"].format(k=k), text, ncols))
    for name, test in res.tests.iterrows():
        label = str(test.get("test", name)).replace(" vs ", "→")
        rows.append(_row(words["F"].format(test=label), format_number(test["F"], digits), ncols))
        rows.append(
            _row(words["p"].format(test=label), format_number(test["pvalue"], digits), ncols)
        )
    return rows


def mediation_rows(res: Any, lang: lab.Lang, digits: Digits, ncols: int) -> list[tuple[str, ...]]:
    """Indirect effect a×b (with its SE), Sobel z and bootstrap interval of ``MediationResult``."""
    words = _WORDS[lang]
    if "indirect a*b" not in res.table.index:
        return []
    ab = res.table.loc["indirect a*b"]
    rows = [
        _row(words["indirect"], format_number(float(ab["estimate"]), digits), ncols),
        _row("", f"({format_number(float(ab['se']), digits)})", ncols),
        _row(words["sobel"], format_number(float(ab["stat"]), digits), ncols),
    ]
    interval = _interval(float(ab["lower"]), float(ab["upper"]), digits)
    if interval:
        rows.append(_row(words["boot"], interval, ncols))
    return rows


#: Identification statistics of `clusterdx.panel.iv.IVDiagnostics.table` shown as IV table rows
#: (the Stock-Yogo critical values stay in the note).
IV_ROW_STATISTICS = (
    "first-stage F",
    "Kleibergen-Paap rk LM",
    "Kleibergen-Paap rk Wald F",
    "Cragg-Donald Wald F",
    "Hansen J",
    "Sargan",
    "Anderson-Rubin F",
)


def iv_rows(
    diagnostics: pd.DataFrame, digits: Digits, ncols: int, name: Callable[[str], str]
) -> list[tuple[str, ...]]:
    """Rows of the IV statistics in ``diagnostics`` (statistic, value, pvalue) named by ``name``.

    >>> diag = pd.DataFrame({"statistic": ["first-stage F", "Kleibergen-Paap rk LM"],
    ...                      "value": [25.1, 12.0], "pvalue": [float("nan"), 0.0005]})
    >>> iv_rows(diag, "auto", 3, str)
    [('first-stage F', '25.100', ''), ('Kleibergen-Paap rk LM', '', '12.000'), ('', '', '[0.00050]')]
    """
    rows = []
    for row in diagnostics.itertuples(index=False):
        if not any(str(row.statistic).startswith(s) for s in IV_ROW_STATISTICS):
            continue
        value = format_number(float(row.value), digits)
        if row.statistic == "first-stage F":
            rows.append((name(row.statistic), value, *([""] * (ncols - 2))))
            continue
        rows.append(_row(name(row.statistic), value, ncols))
        if not math.isnan(float(row.pvalue)):
            rows.append(_row("", f"[{format_number(float(row.pvalue), digits)}]", ncols))
    return rows
