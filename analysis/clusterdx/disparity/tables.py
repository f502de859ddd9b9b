"""Paper tables of the disparity measures: Dagum/Theil by year, (spatial) Markov matrices, confusion matrix.

Each builder returns a :class:`clusterdx.report.Table` (one cell grid for every format), worded in
Chinese or English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from clusterdx.disparity.dagum import DagumResult
from clusterdx.disparity.markov import MarkovResult, SpatialMarkovResult
from clusterdx.report._grid import Grid, Span, format_number
from clusterdx.report.tables import Table

_WORDS = {
    "zh": {
        "year": "年份",
        "total": "总体",
        "within": "组内",
        "gini": "基尼系数",
        "contrib": "贡献率(%)",
        "G_w": "组内差异",
        "G_nb": "组间差异",
        "G_t": "超变密度",
        "theil": "泰尔指数",
        "cv": "变异系数",
        "dagum_note": "注：Dagum（1997）基尼系数分解，G = G_w + G_nb + G_t；泰尔指数T；变异系数为标准差/均值。",
        "lag": "空间滞后类型",
        "class": "t年类型",
        "n": "观测数",
        "markov_note": "注：类型为全样本四分位（或所设分位）分组，Q1最低；转移为t年到t+1年。",
        "spatial_note": "注：空间马尔可夫链按t年空间滞后的类型分组（Rey，2001）；齐性检验Q = {q}（p = {p}）。",
        "declared": "申报类型",
        "predicted": "识别类型",
        "kappa_note": "注：行为申报类型，列为规则识别类型；一致率 {acc}%，Cohen's κ = {kappa}。",
        "symbiotic": "共生型",
        "epiphytic": "附生型",
        "parasitic": "寄生型",
        "macro": {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"},
    },
    "en": {
        "year": "Year",
        "total": "Total",
        "within": "Within",
        "gini": "Gini",
        "contrib": "Contribution (%)",
        "G_w": "Within",
        "G_nb": "Between",
        "G_t": "Transvariation",
        "theil": "Theil T",
        "cv": "CV",
        "dagum_note": (
            "Note: Dagum (1997) Gini decomposition, G = G_w + G_nb + G_t; Theil T index; "
            "coefficient of variation = s.d. / mean."
        ),
        "lag": "Spatial lag class",
        "class": "Class at t",
        "n": "N",
        "markov_note": "Note: classes are pooled quantiles, Q1 lowest; transitions from t to t+1.",
        "spatial_note": (
            "Note: spatial Markov chain conditioned on the class of the spatial lag at t "
            "(Rey 2001); homogeneity test Q = {q} (p = {p})."
        ),
        "declared": "Declared type",
        "predicted": "Classified type",
        "kappa_note": (
            "Note: rows are declared types, columns the rule's classes; agreement {acc}%, "
            "Cohen's kappa = {kappa}."
        ),
        "symbiotic": "Symbiotic",
        "epiphytic": "Epiphytic",
        "parasitic": "Parasitic",
        "macro": {"east": "East", "central": "Central", "west": "West", "northeast": "Northeast"},
    },
}


def _f(value: float, digits: int) -> str:
    return "" if pd.isna(value) else format_number(float(value), digits)


def disparity_table(
    dagum: DagumResult,
    theil_t: pd.DataFrame | None = None,
    cv: pd.Series | None = None,
    lang: str = "zh",
    digits: int = 3,
    title: str | None = None,
) -> Table:
    """Per year: overall Gini, each group's own Gini, G_w / G_nb / G_t with contribution shares, Theil T, CV."""
    words = _WORDS[lang]
    groups = list(dict.fromkeys(g for _, g in dagum.within.index))
    order = [g for g in ("east", "central", "west", "northeast") if g in groups]
    groups = order + [g for g in groups if g not in order]
    names = [words["macro"].get(str(g), str(g)) for g in groups]
    parts = ("G_w", "G_nb", "G_t")
    extra = (["theil"] if theil_t is not None else []) + (["cv"] if cv is not None else [])
    top = [
        Span("", 0),
        Span(words["gini"], 1, 1 + len(groups)),
        Span(words["contrib"], 2 + len(groups), 3),
    ]
    top += [Span("", 5 + len(groups) + i) for i in range(len(extra))]
    second = [Span(words["year"], 0), Span(words["total"], 1)]
    second += [Span(n, 2 + i) for i, n in enumerate(names)]
    second += [Span(words[p], 2 + len(groups) + i) for i, p in enumerate(parts)]
    second += [Span(words[e], 5 + len(groups) + i) for i, e in enumerate(extra)]
    body = []
    for year, row in dagum.summary.iterrows():
        cells = [str(year), _f(row.G, digits)]
        cells += [_f(dagum.within.loc[(year, g), "G_jj"], digits) for g in groups]
        cells += [_f(100 * row[f"share_{p[2:]}"], 2) for p in parts]
        if theil_t is not None:
            cells.append(_f(theil_t.loc[year, "total"], digits))
        if cv is not None:
            cells.append(_f(cv.loc[year], digits))
        body.append(tuple(cells))
    grid = Grid(
        header=(tuple(top), tuple(second)),
        body=tuple(body),
        title=title,
        notes=(words["dagum_note"],),
        group_rule=((1, 1 + len(groups)), (2 + len(groups), 3)),
    )
    return Table(grid, lang)


def _matrix_rows(p: pd.DataFrame, counts: pd.DataFrame, digits: int) -> list[list[str]]:
    rows = []
    for label in p.index:
        key = label[-1] if isinstance(label, tuple) else label
        n = int(np.asarray(counts.loc[label]).sum())
        rows.append([str(key), str(n), *(_f(v, digits) for v in p.loc[label])])
    return rows


def markov_table(
    res: MarkovResult | SpatialMarkovResult,
    lang: str = "zh",
    digits: int = 3,
    title: str | None = None,
) -> Table:
    """Transition probabilities with the row counts; a spatial chain stacks one block per lag class."""
    words = _WORDS[lang]
    spatial = isinstance(res, SpatialMarkovResult)
    classes = list(res.p.columns)
    lead = (
        [Span(words["lag"], 0), Span(words["class"], 1)] if spatial else [Span(words["class"], 0)]
    )
    off = len(lead)
    header = (
        (*lead, Span(words["n"], off), *(Span(c, off + 1 + i) for i, c in enumerate(classes))),
    )
    body = []
    if spatial:
        for lag in dict.fromkeys(res.p.index.get_level_values(0)):
            block = _matrix_rows(res.p.loc[[lag]], res.counts.loc[[lag]], digits)
            for i, row in enumerate(block):
                body.append((lag if i == 0 else "", *row))
        h = res.homogeneity
        note = words["spatial_note"].format(q=_f(h["Q"], 3), p=_f(h["Q_p"], 3))
    else:
        body = [tuple(r) for r in _matrix_rows(res.p, res.counts, digits)]
        note = words["markov_note"]
    return Table(Grid(header=header, body=tuple(body), title=title, notes=(note,)), lang)


def confusion_table(
    matrix: pd.DataFrame,
    accuracy: float,
    kappa: float,
    lang: str = "zh",
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Confusion matrix of declared (rows) against classified (columns) types, with agreement and κ."""
    words = _WORDS[lang]
    names = dict(labels or {})

    def name(t: str) -> str:
        word = words.get(t)
        return names.get(t, word if isinstance(word, str) else t)

    cols = [name(c) for c in matrix.columns]
    header = (
        (Span("", 0), Span(words["predicted"], 1, len(cols))),
        (Span(words["declared"], 0), *(Span(c, 1 + i) for i, c in enumerate(cols))),
    )
    body = tuple((name(r), *(str(int(v)) for v in matrix.loc[r])) for r in matrix.index)
    note = words["kappa_note"].format(acc=_f(100 * accuracy, 1), kappa=_f(kappa, 3))
    return Table(
        Grid(header=header, body=body, title=title, notes=(note,), group_rule=((1, len(cols)),)),
        lang,
    )


def frame_table(
    frame: pd.DataFrame,
    lang: str = "zh",
    digits: int = 3,
    title: str | None = None,
    notes: Sequence[str] = (),
    index_label: str = "",
) -> Table:
    """A plain table of a DataFrame: index in the first column, numbers with ``digits`` decimals."""
    header = ((Span(index_label, 0), *(Span(str(c), 1 + i) for i, c in enumerate(frame.columns))),)
    body = []
    for key, row in frame.iterrows():
        cells = [
            v
            if isinstance(v, str)
            else str(int(v))
            if isinstance(v, (int, np.integer))
            else _f(v, digits)
            for v in row
        ]
        body.append((str(key), *cells))
    return Table(Grid(header=header, body=tuple(body), title=title, notes=tuple(notes)), lang)
