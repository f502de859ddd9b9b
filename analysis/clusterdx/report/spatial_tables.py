"""Specialised paper tables: Moran's I by year, spatial effect decomposition, specification tests.

Each function builds one :class:`~clusterdx.report._grid.Grid` and returns a
:class:`~clusterdx.report.tables.Table`, so the table is written to LaTeX, Word, HTML, Markdown and
Excel from the same strings (``table.save("reports/tables/moran", formats)``).

::

    moran_table(cdx.spatial.moran_by_year(panel, "dt", W, "region", "year"), lang="zh")
    effects_table({"SDM": sdm.impacts(draws=1000, seed=0)}, lang="zh", labels={"gov": "政府支持"})
    tests_table(cdx.spatial.lm_tests(...), {"LR (SDM vs SAR)": lr, "Hausman": h}, lang="zh")
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from clusterdx.errors import DataError, StudySpecError
from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, Grid, Span, format_number
from clusterdx.report._regression import star_marks, stars_note
from clusterdx.report.tables import (
    DEFAULT_STARS,
    Table,
    _check_digits,
    _check_stars,
    _choice,
    _notes,
)

_WORDS = {
    "zh": {
        "year": "年份",
        "I": "Moran's I",
        "EI": "E(I)",
        "z": "Z值",
        "p": "P值",
        "moran_note": "Z值与P值基于正态假设下的方差（Cliff和Ord，1981）",
        "ei_note": "各年E(I) = −1/(N−1) = {ei}",
        "direct": "直接效应",
        "indirect": "间接效应",
        "total": "总效应",
        "effects_note": "效应按LeSage和Pace（2009）的偏导数矩阵分解",
        "paren_z": "括号内为z统计量",
        "test": "检验",
        "statistic": "统计量",
        "df": "自由度",
        "tests_note": "统计量在原假设下服从卡方分布",
    },
    "en": {
        "year": "Year",
        "I": "Moran's I",
        "EI": "E(I)",
        "z": "z",
        "p": "p-value",
        "moran_note": "z and p-values use the variance under normality (Cliff and Ord, 1981)",
        "ei_note": "E(I) = −1/(N−1) = {ei} in every year",
        "direct": "Direct",
        "indirect": "Indirect",
        "total": "Total",
        "effects_note": (
            "Effects are summaries of the partial-derivative matrices of LeSage and Pace (2009)"
        ),
        "paren_z": "z statistics in parentheses",
        "test": "Test",
        "statistic": "Statistic",
        "df": "df",
        "tests_note": "Statistics are chi-squared under the null hypothesis",
    },
}
EffectStat = Literal["se", "z"]
EFFECT_STATS: tuple[str, ...] = ("se", "z")
_MORAN_COLUMNS = ("year", "I", "EI", "z")
_IMPACTS = ("direct", "indirect", "total")
# Row labels of the Baltagi, Song & Koh (2003) tests (clusterdx.spatial.bsk_test), by test name
BSK_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "LMH": "联合 LM 检验（随机效应与空间误差）",
        "LM1": "边际 LM 检验：随机效应",
        "LM2": "边际 LM 检验：空间误差",
        "CLMlambda": "条件 LM 检验：空间误差（给定随机效应）",
        "CLMmu": "条件 LM 检验：随机效应（给定空间误差）",
    },
    "en": {
        "LMH": "Joint LM test (random effects and spatial error)",
        "LM1": "Marginal LM test: random effects",
        "LM2": "Marginal LM test: spatial error",
        "CLMlambda": "Conditional LM test: spatial error given random effects",
        "CLMmu": "Conditional LM test: random effects given spatial error",
    },
}

# Note under a tests table that shows them: the marginal and conditional tests are z statistics
BSK_NOTE: dict[str, str] = {
    "zh": (
        "边际与条件 LM 检验报告标准正态统计量（双侧 P 值，其平方服从自由度为 1 的卡方分布），"
        "联合 LM 检验服从 ¼χ²(0)+½χ²(1)+¼χ²(2) 混合分布。"
    ),
    "en": (
        "The marginal and conditional LM tests report standard normal statistics (two-sided "
        "p-values; their squares are chi2(1)); the joint LM test follows the mixture "
        "1/4 chi2(0) + 1/2 chi2(1) + 1/4 chi2(2) (Baltagi, Song & Koh 2003)."
    ),
}

_LM_ROWS = {
    "LM_lag": "LM-lag",
    "LM_error": "LM-error",
    "robust LM_lag": "Robust LM-lag",
    "robust LM_error": "Robust LM-error",
}


def _word(lang: str, key: str) -> str:
    return _WORDS[lang][key]


def _table(
    lang: lab.Lang,
    header: Sequence[tuple[Span, ...]],
    body: Sequence[tuple[str, ...]],
    sentences: Sequence[str],
    title: str | None,
    notes: str | Sequence[str] | None,
    group_rule: Sequence[tuple[int, int]] = (),
) -> Table:
    """The table of ``body`` under ``header``; its first note joins ``sentences``, then ``notes``."""
    note = lab.text(lang, "sentence_sep").join(sentences) + lab.text(lang, "sentence_end")
    grid = Grid(
        header=tuple(header),
        body=tuple(body),
        title=title,
        notes=(lab.text(lang, "notes_prefix") + note, *_notes(notes)),
        group_rule=tuple(group_rule),
    )
    return Table(grid, lang)


def _number(value: Any, digits: Digits) -> str:
    value = float(value)
    return "" if math.isnan(value) else format_number(value, digits)


def moran_table(
    moran: pd.DataFrame,
    lang: lab.Lang = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    digits: Digits = 3,
    stars: Sequence[float] = DEFAULT_STARS,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    r"""Global Moran's I by year: I (with stars), E[I], z and p, one row per year.

    :math:`I_t = \frac{N}{S_0} z_t'Wz_t / z_t'z_t`, :math:`E[I] = -1/(N-1)` (Moran 1950,
    *Biometrika* 37:17-23; Cliff & Ord 1981, *Spatial Processes*, Pion). The input is the output of
    :func:`clusterdx.spatial.moran_by_year` (columns ``year, I, EI, z, p_norm``); stars and the p
    column use ``p_norm``. With a ``variable`` column (several variables stacked, as the pipeline
    writes ``moran_by_year.csv``) each variable gets its columns under its label; E(I), then one
    number for all (balanced panel), moves to the note to keep the table within a page.

    Parameters
    ----------
    moran : Moran's I by year.
    lang : ``"zh"`` or ``"en"``.
    labels : display names of the variables, e.g. ``{"dt": "数字化转型"}``.
    digits : decimals.
    stars : significance levels for ``p < level`` on I; ``()`` for none.
    title, notes : caption above and note paragraphs below.

    Examples
    --------
    A frame laid out as :func:`clusterdx.spatial.moran_by_year` returns it:

    >>> moran = pd.DataFrame({"year": [2020, 2021], "I": [0.21, 0.35], "EI": [-0.1, -0.1],
    ...                       "z": [1.52, 2.48], "p_norm": [0.128, 0.013]})
    >>> table = moran_table(moran, lang="en")
    >>> print(table.to_markdown().split("\n\n")[0])
    | Year | Moran's I | E(I) | z | p-value |
    |:---|:---:|:---:|:---:|:---:|
    | 2020 | 0.210 | -0.100 | 1.520 | 0.128 |
    | 2021 | 0.350** | -0.100 | 2.480 | 0.013 |
    >>> moran_table(moran).grid.header[0][3].text
    'Z值'
    """
    _choice("lang", lang, lab.LANGS)
    _check_digits(digits)
    levels = _check_stars(stars)
    pcol = "p_norm" if "p_norm" in moran.columns else "p"
    missing = [c for c in (*_MORAN_COLUMNS, pcol) if c not in moran.columns]
    if missing:
        raise DataError(
            f"Moran table input lacks columns {missing}; pass the output of "
            f"clusterdx.spatial.moran_by_year (found {list(moran.columns)})"
        )
    labels = dict(labels or {})
    blocks = (
        list(moran.groupby("variable", sort=False))
        if "variable" in moran.columns
        else [(None, moran)]
    )
    years = sorted(set(moran["year"]))
    ei_shown = {_number(v, digits) for v in moran["EI"]}
    # several variables side by side: E(I) = -1/(N-1) moves to the note when it is one number
    shared_ei = len(blocks) > 1 and len(ei_shown) == 1
    stats = ("I", "z", "p") if shared_ei else ("I", "EI", "z", "p")
    width = len(stats)
    header: list[tuple[Span, ...]] = []
    rule: list[tuple[int, int]] = []
    if blocks[0][0] is not None:
        spans = [Span("", 0)]
        for i, (name, _) in enumerate(blocks):
            start = 1 + width * i
            spans.append(Span(labels.get(name, str(name)), start, width))
            rule.append((start, width))
        header.append(tuple(spans))
    header.append(
        (
            Span(_word(lang, "year"), 0),
            *(
                Span(_word(lang, s), 1 + width * i + j)
                for i in range(len(blocks))
                for j, s in enumerate(stats)
            ),
        )
    )
    body = []
    for year in years:
        cells = [str(year)]
        for name, block in blocks:
            rows = block[block["year"] == year]
            if len(rows) > 1:
                raise DataError(f"year {year!r} appears {len(rows)} times for variable {name!r}")
            if rows.empty:
                cells += [""] * width
                continue
            row = rows.iloc[0]
            p = float(row[pcol])
            shown = {
                "I": _number(row["I"], digits) + star_marks(p, levels),
                "EI": _number(row["EI"], digits),
                "z": _number(row["z"], digits),
                "p": _number(p, digits),
            }
            cells += [shown[s] for s in stats]
        body.append(tuple(cells))
    sentences = [_word(lang, "moran_note")]
    if shared_ei:
        sentences.append(_word(lang, "ei_note").format(ei=ei_shown.pop()))
    if levels:
        sentences.append(stars_note(lang, levels))
    return _table(lang, header, body, sentences, title, notes, rule)


def _impact_frame(frame: Any, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) or not isinstance(frame.columns, pd.MultiIndex):
        raise DataError(
            f"effects of {name} must be the DataFrame of res.impacts() with (impact, stat) "
            f"columns, got {type(frame).__name__}"
        )
    needed = [(i, s) for i in _IMPACTS for s in ("est", "se", "z", "p")]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"effects of {name} lack columns {missing[:4]}; expected (impact, stat) with impact "
            f"in {list(_IMPACTS)} and stat in ['est', 'se', 'z', 'p'] as res.impacts() returns"
        )
    return frame


def effects_table(
    results: pd.DataFrame | Mapping[str, pd.DataFrame],
    lang: lab.Lang = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    stat: EffectStat = "se",
    digits: Digits = 3,
    stars: Sequence[float] = DEFAULT_STARS,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    r"""Direct, indirect and total effects of the regressors, one panel of rows per model.

    For a spatial lag model the effects of regressor k summarise
    :math:`S_k(\rho) = (I - \rho W)^{-1}(\beta_k I + \theta_k W)`: direct = mean diagonal, total =
    mean row sum, indirect = total − direct (LeSage & Pace 2009, *Introduction to Spatial
    Econometrics*, CRC, §2.7). Columns: direct, indirect, total; each variable shows the estimate
    with stars and its standard error (or z) in parentheses below. With several models each
    model's rows sit under a row carrying its name.

    Parameters
    ----------
    results : ``res.impacts(...)`` of a :func:`clusterdx.spatial.fit` result (rows = variables,
        columns (impact, stat) with impact direct/indirect/total and stat est/se/z/p), or a
        mapping model name → such a frame.
    lang : ``"zh"`` or ``"en"``.
    labels : display names of the variables.
    stat : ``"se"`` or ``"z"`` in parentheses.
    digits, stars, title, notes : as :class:`~clusterdx.report.RegressionTable`.

    Examples
    --------
    A frame laid out as ``res.impacts()`` returns it (one variable here):

    >>> columns = pd.MultiIndex.from_product([["direct", "indirect", "total"],
    ...                                       ["est", "se", "z", "p"]])
    >>> impacts = pd.DataFrame([[0.5, 0.1, 5.0, 0.0, 0.2, 0.1, 2.0, 0.046, 0.7, 0.15, 4.67, 0.0]],
    ...                        index=["gov"], columns=columns)
    >>> table = effects_table({"SDM": impacts}, lang="en", labels={"gov": "Government support"})
    >>> print(table.to_markdown().split("\n\n")[0])
    | Variables | Direct | Indirect | Total |
    |:---|:---:|:---:|:---:|
    | SDM |  |  |  |
    | Government support | 0.500*** | 0.200** | 0.700*** |
    |  | (0.100) | (0.100) | (0.150) |
    >>> effects_table(impacts, stat="z").grid.body[1]   # one model: no model row; z below
    ('', '(5.000)', '(2.000)', '(4.670)')
    """
    _choice("lang", lang, lab.LANGS)
    _choice("stat", stat, EFFECT_STATS)
    _check_digits(digits)
    levels = _check_stars(stars)
    models = (
        [(None, _impact_frame(results, "the model"))]
        if isinstance(results, pd.DataFrame)
        else [(str(k), _impact_frame(v, repr(k))) for k, v in results.items()]
    )
    if not models:
        raise StudySpecError("effects_table needs at least one impacts frame")
    labels = dict(labels or {})
    header = (
        (
            Span(lab.text(lang, "variable"), 0),
            *(Span(_word(lang, i), j) for j, i in enumerate(_IMPACTS, 1)),
        ),
    )
    spread = stat
    body: list[tuple[str, ...]] = []
    for name, frame in models:
        if name is not None:
            body.append((name, "", "", ""))
        for var in frame.index:
            coef, paren = [labels.get(var, str(var))], [""]
            for impact in _IMPACTS:
                est = float(frame.loc[var, (impact, "est")])
                p = float(frame.loc[var, (impact, "p")])
                second = float(frame.loc[var, (impact, spread)])
                coef.append(_number(est, digits) + ("" if math.isnan(p) else star_marks(p, levels)))
                paren.append("" if math.isnan(second) else f"({format_number(second, digits)})")
            body += [tuple(coef), tuple(paren)]
    sentences = [lab.text(lang, "paren_se") if spread == "se" else _word(lang, "paren_z")]
    if levels:
        sentences.append(stars_note(lang, levels))
    sentences.append(_word(lang, "effects_note"))
    return _table(lang, header, body, sentences, title, notes)


def _test_label(result: Any, position: int) -> str:
    name = getattr(result, "name", None)
    if isinstance(name, str) and name:
        return name
    if hasattr(result, "method") and hasattr(result, "contrast"):
        return "Hausman"
    raise StudySpecError(
        f"test {position + 1} ({type(result).__name__}) has no name; pass tests as a mapping "
        "{'row label': result}"
    )


def tests_table(
    lm: pd.DataFrame | None = None,
    tests: Mapping[str, Any] | Sequence[Any] | None = None,
    lang: lab.Lang = "zh",
    *,
    digits: Digits = 3,
    stars: Sequence[float] = DEFAULT_STARS,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    r"""Model-selection tests, one row each: statistic (with stars), degrees of freedom, p-value.

    The usual sequence of Elhorst (2014, *Spatial Econometrics*, Springer, §3.5): LM tests for a
    spatial lag and a spatial error and their robust forms (Anselin, Bera, Florax & Yoon 1996,
    *Regional Science and Urban Economics* 26:77-104), then LR and Wald tests of the SDM against
    SAR / SEM and the Hausman test of fixed against random effects (Hausman 1978,
    *Econometrica* 46:1251-1271).

    Parameters
    ----------
    lm : output of :func:`clusterdx.spatial.lm_tests` (index ``LM_lag, LM_error, robust LM_lag,
        robust LM_error``; columns ``statistic, df, pvalue``), or None.
    tests : further tests with ``statistic``, ``df`` and ``pvalue`` attributes
        (``clusterdx.spatial.lr_test`` / ``wald_test`` / ``hausman``, ``clusterdx.panel.hausman``):
        a mapping row label → result, or a sequence labelled by each result's ``name``.
    lang : ``"zh"`` or ``"en"``.
    digits, stars, title, notes : as :class:`~clusterdx.report.RegressionTable`.

    Examples
    --------
    LM tests laid out as :func:`clusterdx.spatial.lm_tests` returns them, and one further test
    (any object with ``statistic``, ``df`` and ``pvalue``):

    >>> from types import SimpleNamespace
    >>> lm = pd.DataFrame({"statistic": [8.1, 2.3], "df": [1, 1], "pvalue": [0.0044, 0.129]},
    ...                   index=["LM_lag", "LM_error"])
    >>> hausman = SimpleNamespace(statistic=15.2, df=4, pvalue=0.0043)
    >>> table = tests_table(lm, {"Hausman": hausman}, lang="en")
    >>> print(table.to_markdown().split("\n\n")[0])
    | Test | Statistic | df | p-value |
    |:---|:---:|:---:|:---:|
    | LM-lag | 8.100*** | 1 | 0.004 |
    | LM-error | 2.300 | 1 | 0.129 |
    | Hausman | 15.200*** | 4 | 0.004 |
    """
    _choice("lang", lang, lab.LANGS)
    _check_digits(digits)
    levels = _check_stars(stars)
    rows: list[tuple[str, float, float, float]] = []
    if lm is not None:
        missing = [c for c in ("statistic", "df", "pvalue") if c not in lm.columns]
        if missing:
            raise DataError(
                f"LM test frame lacks columns {missing}; pass clusterdx.spatial.lm_tests(...)"
            )
        for key, row in lm.iterrows():
            rows.append(
                (_LM_ROWS.get(str(key), str(key)), row["statistic"], row["df"], row["pvalue"])
            )
    named = (
        list(tests.items())
        if isinstance(tests, Mapping)
        else [(_test_label(r, i), r) for i, r in enumerate(tests or [])]
    )
    for label, result in named:
        absent = [a for a in ("statistic", "df", "pvalue") if not hasattr(result, a)]
        if absent:
            raise StudySpecError(
                f"test {label!r} ({type(result).__name__}) has no attribute {absent}; a test "
                "needs statistic, df and pvalue"
            )
        rows.append((str(label), result.statistic, result.df, result.pvalue))
    if not rows:
        raise StudySpecError("tests_table needs LM tests (lm=...) or other tests (tests=...)")
    header = (
        (
            Span(_word(lang, "test"), 0),
            Span(_word(lang, "statistic"), 1),
            Span(_word(lang, "df"), 2),
            Span(_word(lang, "p"), 3),
        ),
    )
    body = []
    for label, statistic, df, pvalue in rows:
        df = float(df)
        df_text = str(int(df)) if df.is_integer() else _number(df, digits)
        body.append(
            (
                label,
                _number(statistic, digits) + star_marks(float(pvalue), levels),
                df_text,
                _number(pvalue, digits),
            )
        )
    sentences = [_word(lang, "tests_note")]
    if levels:
        sentences.append(stars_note(lang, levels))
    return _table(lang, header, body, sentences, title, notes)
