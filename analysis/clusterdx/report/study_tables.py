"""Tables of the study's measurement: the indicator system with its entropy weights, and the
descriptive statistics of the variables by group (cluster type).

::

    indicator_table(cdx.indicators.indicator_system(study, frame), lang="zh")
    group_descriptive_table(frame, ["dt", "demand"], "cluster_type", lang="zh")

Each returns a :class:`~clusterdx.report.tables.Table` written to every format from one grid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from clusterdx.errors import DataError
from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, Grid, Span, format_number
from clusterdx.report._summary import numeric_columns
from clusterdx.report.tables import Table, _check_digits, _choice, _notes

_WORDS = {
    "zh": {
        "index": "综合指数",
        "dimension": "一级指标",
        "dimension_weight": "一级指标权重",
        "indicator": "二级指标",
        "unit": "单位",
        "direction": "指标属性",
        "weight": "熵值法权重",
        "positive": "正向",
        "negative": "负向",
        "pooled": "权重由熵值法计算，各指标经极差标准化后基于全部地区-年份混合计算信息熵",
        "by_year": "{names}的权重按年份分别由熵值法计算，表中为各年权重的均值",
        "mean": "均值",
        "sd": "标准差",
        "n": "观测值",
        "untyped": "{n}个地区-年份无{group}，未列入",
        "group_note": "标准差为样本标准差",
    },
    "en": {
        "index": "Index",
        "dimension": "Dimension",
        "dimension_weight": "Dimension weight",
        "indicator": "Indicator",
        "unit": "Unit",
        "direction": "Direction",
        "weight": "Entropy weight",
        "positive": "Positive",
        "negative": "Negative",
        "pooled": (
            "Entropy weights of the min-max standardised indicators, pooled over all region-years"
        ),
        "by_year": "Weights of {names} computed year by year; the table shows their means",
        "mean": "Mean",
        "sd": "SD",
        "n": "N",
        "untyped": "{n} region-years without a {group} are left out",
        "group_note": "SD is the sample standard deviation",
    },
}

#: How units show: "1" (as given, or a ratio of like units) and an unknown unit as a dash; Latin
#: units in Chinese, the yearbook units of `clusterdx.data.units.UNITS` in English.
_UNITS = {
    "zh": {"1": "—", "": "—", "index": "指数", "count": "个", "km": "公里", "km²": "平方公里"},
    "en": {
        **{"1": "—", "": "—", "元": "yuan", "千元": "1,000 yuan", "万元": "10,000 yuan"},
        **{"亿元": "100 million yuan", "美元": "USD", "万美元": "10,000 USD", "人": "persons"},
        **{"万人": "10,000 persons", "件": "items", "个": "units", "项": "items", "家": "firms"},
        **{"万件": "10,000 items", "万个": "10,000 units", "户": "accounts"},
        **{"万户": "10,000 accounts", "吨": "t", "万吨": "10,000 t", "千瓦时": "kWh"},
        **{"公里": "km", "平方公里": "km²", "人次": "visits", "年": "years"},
    },
}


def unit_text(unit: str, lang: lab.Lang) -> str:
    """A unit as a table shows it (``"index"`` -> ``指数``, ``"1"`` -> ``—``).

    >>> unit_text("万户/万人", "zh"), unit_text("index", "zh"), unit_text("1", "en")
    ('万户/万人', '指数', '—')
    >>> unit_text("亿元/万人", "en")
    '100 million yuan/10,000 persons'

    """
    words = _UNITS[lang]
    if unit in words:
        return words[unit]
    return "/".join(words.get(part, part) for part in unit.split("/"))


def _sentence(lang: lab.Lang, parts: Sequence[str]) -> str:
    body = lab.text(lang, "sentence_sep").join(parts) + lab.text(lang, "sentence_end")
    return lab.text(lang, "notes_prefix") + body


def indicator_table(
    system: pd.DataFrame,
    lang: lab.Lang = "zh",
    *,
    labels: Mapping[str, str] | None = None,
    by_year: Sequence[str] = (),
    digits: Digits = "auto",
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    """The indicator system and its entropy weights (指标体系与权重), one row per indicator.

    Columns: dimension (一级指标; its name on the first of its rows), the dimension's weight (the
    sum of its indicators' weights, where the composites declare ``dimensions``), indicator,
    unit, direction (正向 / 负向) and entropy weight; a first column names the composite index
    when there are several.

    Parameters
    ----------
    system : `clusterdx.indicators.indicator_system` output (columns index, dimension,
        indicator, direction, unit, weight).
    lang : ``"zh"`` or ``"en"``.
    labels : display names of the indices, dimensions and indicators.
    by_year : names of the indices whose weights are year means (``standardise = "by_year"``).
    digits : decimals of the weights.

    Examples
    --------
    >>> system = pd.DataFrame({"index": "dt", "dimension": ["infra", "infra", "use"],
    ...                        "indicator": ["ports", "users", "online"],
    ...                        "direction": ["positive", "positive", "negative"],
    ...                        "unit": ["万个/万人", "index", "1"], "weight": [0.25, 0.35, 0.4]})
    >>> table = indicator_table(system, "zh", labels={"infra": "数字基础设施", "use": "数字应用"})
    >>> for row in table.grid.body:
    ...     print(row)
    ('数字基础设施', '0.600', 'ports', '万个/万人', '正向', '0.250')
    ('', '', 'users', '指数', '正向', '0.350')
    ('数字应用', '0.400', 'online', '—', '负向', '0.400')
    """
    _choice("lang", lang, lab.LANGS)
    _check_digits(digits)
    if system.empty:
        raise DataError("the study has no entropy indicator: there is no indicator system to show")
    words, labels = _WORDS[lang], dict(labels or {})
    several = len(set(system["index"])) > 1
    with_dimensions = bool((system["dimension"] != system["index"]).any())
    keys = ["index"] * several + ["dimension"] + ["dimension_weight"] * with_dimensions
    keys += ["indicator", "unit", "direction", "weight"]
    header = (tuple(Span(words[k], i) for i, k in enumerate(keys)),)
    body = []
    previous: tuple[str, str] | None = None
    for row in system.itertuples(index=False):
        cells = []
        first_of_index = previous is None or previous[0] != row.index
        first_of_dimension = first_of_index or previous[1] != row.dimension
        if several:
            cells.append(labels.get(row.index, row.index) if first_of_index else "")
        cells.append(labels.get(row.dimension, row.dimension) if first_of_dimension else "")
        if with_dimensions:
            inside = system[(system["index"] == row.index) & (system["dimension"] == row.dimension)]
            total = format_number(float(inside["weight"].sum()), digits)
            cells.append(total if first_of_dimension else "")
        cells += [
            labels.get(row.indicator, row.indicator),
            unit_text(str(row.unit), lang),
            words[row.direction],
            format_number(float(row.weight), digits),
        ]
        body.append(tuple(cells))
        previous = (row.index, row.dimension)
    sentences = [words["pooled"]]
    if by_year:
        names = lab.text(lang, "list_sep").join(labels.get(n, n) for n in by_year)
        sentences.append(words["by_year"].format(names=names))
    grid = Grid(
        header=header,
        body=tuple(body),
        title=title,
        notes=(_sentence(lang, sentences), *_notes(notes)),
    )
    return Table(grid, lang)


def group_descriptive_table(
    frame: pd.DataFrame,
    variables: Sequence[str],
    group: str,
    labels: Mapping[str, str] | None = None,
    lang: lab.Lang = "zh",
    *,
    order: Sequence[str] = (),
    digits: Digits = "auto",
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> Table:
    """Mean, sample SD and N of each variable within each level of ``group`` (e.g. cluster type).

    Levels come in ``order`` first, then the others sorted; each level heads three columns. Level
    names take ``labels``, then the derived labels (``parasitic`` -> ``寄生型``). Rows whose group
    is missing are left out and counted in the note; a variable's statistics use its
    non-missing values in the level.

    Examples
    --------
    >>> frame = pd.DataFrame({"type": ["parasitic", "parasitic", "symbiotic", None],
    ...                       "dt": [1.0, 3.0, 2.0, 9.0]})
    >>> table = group_descriptive_table(frame, ["dt"], "type", order=["symbiotic"], digits=2)
    >>> [s.text for s in table.grid.header[0]]
    ['', '共生型', '寄生型']
    >>> table.grid.body[0]   # symbiotic: one value, no SD; parasitic: mean 2, SD sqrt(2)
    ('dt', '2.00', '', '1', '2.00', '1.41', '2')
    >>> table.grid.notes[0]
    '注：标准差为样本标准差；1个地区-年份无type，未列入。'
    """
    _choice("lang", lang, lab.LANGS)
    _check_digits(digits)
    if group not in frame.columns:
        raise DataError(f"group column {group!r} is not in the data; available: {list(frame)}")
    data = numeric_columns(frame, variables)
    levels_present = frame[group].dropna().unique().tolist()
    if not levels_present:
        raise DataError(f"group column {group!r} is missing in every row: nothing to describe")
    levels = [v for v in order if v in levels_present]
    levels += sorted((v for v in levels_present if v not in levels), key=str)
    words, labels = _WORDS[lang], dict(labels or {})
    stats = ("mean", "sd", "n")
    top = [Span("", 0)]
    second = [Span(lab.text(lang, "variable"), 0)]
    for j, level in enumerate(levels):
        start = 1 + 3 * j
        top.append(Span(lab.derived_label(str(level), lang, labels), start, 3))
        second += [Span(words[s], start + i) for i, s in enumerate(stats)]
    body = []
    for name in variables:
        cells = [labels.get(name, name)]
        for level in levels:
            values = data.loc[frame[group] == level, name].dropna().to_numpy()
            mean = format_number(float(values.mean()), digits) if values.size else ""
            sd = format_number(float(np.std(values, ddof=1)), digits) if values.size > 1 else ""
            cells += [mean, sd, str(values.size)]
        body.append(tuple(cells))
    sentences = [words["group_note"]]
    untyped = int(frame[group].isna().sum())
    if untyped:
        name = labels.get(group, group)
        sentences.append(words["untyped"].format(n=untyped, group=name))
    grid = Grid(
        header=(tuple(top), tuple(second)),
        body=tuple(body),
        title=title,
        notes=(_sentence(lang, sentences), *_notes(notes)),
        group_rule=tuple((1 + 3 * j, 3) for j in range(len(levels))),
    )
    return Table(grid, lang)
