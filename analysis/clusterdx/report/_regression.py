"""Build the cell grid of a regression table from results that share the common result interface.

Every clusterdx estimator returns a `clusterdx.results.EstimationResult` (``params``, ``bse``,
``tvalues``, ``pvalues`` indexed by term, ``nobs``, ``model``, ``depvar``, ``fixed_effects``,
``cov_type`` as a `Covariance`, ``rsquared``, ``rsquared_within``, ``llf``), read as such; spatial
results name their extra parameters ``rho``, ``lambda``, ``sigma2`` and ``W_<x>``. Results of other
packages (statsmodels, linearmodels, anything with ``params``/``bse``/``pvalues``/``nobs``) are
read by `_read_foreign`, which also knows the spellings ``std_errors`` and ``tstats``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from clusterdx.errors import StudySpecError
from clusterdx.report import labels as lab
from clusterdx.report._grid import Digits, Grid, Span, format_number
from clusterdx.results import EstimationResult

SPATIAL_TERMS = ("rho", "tau", "psi", "lambda", "sigma2")
# Models whose log-likelihood is a spatial one (Lee-Yu corrected or not): not comparable with the
# Gaussian log-likelihood of a non-spatial panel regression.
SPATIAL_MODELS = frozenset({"sar", "sem", "sdm", "sac", "sdem", "slx"})
CONST = "const"


@dataclass(frozen=True)
class Column:
    """What a table reads from one result."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    nobs: int
    model: str
    depvar: str
    fixed_effects: dict[str, bool] | None
    cov_type: str
    rsquared: float | None
    rsquared_within: float | None
    llf: float | None
    fd_intercept: bool | None = None
    bias_convention: str | None = None
    pseudo_r2: float | None = None


def _series(result: Any, names: tuple[str, ...], position: int) -> pd.Series | None:
    """The first of the attributes ``names`` that ``result`` has, as floats by canonical term."""
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            return _terms(value, position)
    return None


def _terms(value: Any, position: int) -> pd.Series:
    """``value`` as floats indexed by canonical term (the intercept's spellings unified)."""
    series = pd.Series(value, dtype=float)
    series.index = [_canonical(str(t)) for t in series.index]
    if series.index.duplicated().any():
        raise TypeError(
            f"result {position + 1} has more than one intercept term among "
            f"{sorted(lab.CONST_NAMES)}; keep one"
        )
    return series


def _required(result: Any, names: tuple[str, ...], position: int) -> pd.Series:
    series = _series(result, names, position)
    if series is None:
        raise TypeError(
            f"result {position + 1} ({type(result).__name__}) has no attribute "
            f"{' or '.join(repr(n) for n in names)}; a table needs params, bse, pvalues and nobs "
            "(the common result interface of clusterdx estimators)"
        )
    return series


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _canonical(term: str) -> str:
    return CONST if term in lab.CONST_NAMES else term


def read_result(result: Any, position: int) -> Column:
    """Read the common result interface from ``result`` (the ``position``-th column, 0-based)."""
    if not isinstance(result, EstimationResult):
        return _read_foreign(result, position)
    fixed = result.fixed_effects
    has_fe = bool(fixed) and any(fixed.values())
    rsquared = _optional_float(result.rsquared)
    within = _optional_float(result.rsquared_within) if has_fe else None
    return Column(
        params=_terms(result.params, position),
        bse=_terms(result.bse, position),
        tvalues=_terms(result.tvalues, position),
        pvalues=_terms(result.pvalues, position),
        nobs=int(result.nobs),
        model=result.model,
        depvar=result.depvar,
        fixed_effects=dict(fixed) if fixed is not None else None,
        cov_type=result.cov_type,
        rsquared=None if has_fe else rsquared,
        rsquared_within=(within if within is not None else rsquared) if has_fe else None,
        llf=_optional_float(result.llf),
        fd_intercept=result.fd_intercept,
        bias_convention=result.bias_convention,
    )


def _read_foreign(result: Any, position: int) -> Column:
    """Read a result of another package by its attribute names (statsmodels, linearmodels ...)."""
    params = _required(result, ("params",), position)
    bse = _required(result, ("bse", "std_errors"), position)
    pvalues = _required(result, ("pvalues",), position)
    tvalues = _series(result, ("tvalues", "tstats"), position)
    if tvalues is None:
        tvalues = params / bse
    nobs = getattr(result, "nobs", None)
    if nobs is None:
        raise TypeError(f"result {position + 1} ({type(result).__name__}) has no attribute 'nobs'")
    model = getattr(result, "model", "")
    depvar = getattr(result, "depvar", "")
    fixed = getattr(result, "fixed_effects", None)
    has_fe = bool(fixed) and any(fixed.values())
    rsquared = _optional_float(getattr(result, "rsquared", None))
    within = _optional_float(getattr(result, "rsquared_within", None)) if has_fe else None
    return Column(
        params=params,
        bse=bse,
        tvalues=tvalues,
        pvalues=pvalues,
        nobs=int(nobs),
        model=model if isinstance(model, str) else "",
        depvar=depvar if isinstance(depvar, str) else "",
        fixed_effects=dict(fixed) if fixed is not None else None,
        cov_type=str(getattr(result, "cov_type", "") or ""),
        rsquared=None if has_fe else rsquared,
        rsquared_within=(within if within is not None else rsquared) if has_fe else None,
        llf=_optional_float(getattr(result, "llf", None)),
        fd_intercept=getattr(result, "fd_intercept", None),
        bias_convention=getattr(result, "bias_convention", None),
        pseudo_r2=_optional_float(getattr(result, "pseudo_r2", None)),
    )


def default_order(columns: Sequence[Column]) -> list[str]:
    """Terms in display order: regressors, their W× lags, constant, ρ, λ, σ²."""
    seen: list[str] = []
    for column in columns:
        seen += [t for t in column.params.index if t not in seen]
    plain = [t for t in seen if t not in SPATIAL_TERMS and t != CONST and not t.startswith("W_")]
    lagged = [f"W_{t}" for t in plain if f"W_{t}" in seen]
    lagged += [t for t in seen if t.startswith("W_") and t not in lagged]
    tail = [t for t in (CONST, *SPATIAL_TERMS) if t in seen]
    return plain + lagged + tail


def _check_names(option: str, names: Sequence[str], available: list[str]) -> list[str]:
    canonical = [_canonical(n) for n in names]
    unknown = [n for n, c in zip(names, canonical, strict=True) if c not in available]
    if unknown:
        raise StudySpecError(
            f"{option}={list(names)!r} names terms that no result has: {unknown}; "
            f"available terms: {available}"
        )
    return canonical


def select_terms(
    columns: Sequence[Column],
    keep: Sequence[str] | None,
    drop: Sequence[str] | None,
    order: Sequence[str] | None,
) -> list[str]:
    """Apply ``keep`` (only these), ``drop`` (not these) and ``order`` (these first) to the terms."""
    terms = default_order(columns)
    if keep is not None:
        kept = set(_check_names("keep", keep, terms))
        terms = [t for t in terms if t in kept]
    if drop is not None:
        dropped = set(_check_names("drop", drop, default_order(columns)))
        terms = [t for t in terms if t not in dropped]
    if order is not None:
        first = [t for t in _check_names("order", order, default_order(columns)) if t in terms]
        terms = first + [t for t in terms if t not in first]
    return terms


def term_label(term: str, lang: lab.Lang, labels: Mapping[str, str]) -> str:
    """Display label of a term: user label, else fixed wording, ``W×<label>`` for spatial lags."""
    if term in labels:
        return labels[term]
    if term == CONST:
        for name in sorted(lab.CONST_NAMES):
            if name in labels:
                return labels[name]
        return lab.text(lang, "const")
    if term in SPATIAL_TERMS:
        return lab.text(lang, term)
    if term.startswith("W_"):
        return "W×" + term_label(term[2:], lang, labels)
    return lab.derived_label(term, lang, labels)


def star_marks(pvalue: float, thresholds: Sequence[float]) -> str:
    """``*`` for each threshold that ``pvalue`` is below (0.03 with (0.1, 0.05, 0.01) -> ``**``)."""
    if math.isnan(pvalue):
        return ""
    return "*" * sum(pvalue < level for level in thresholds)


def _coefficient_rows(
    columns: Sequence[Column],
    terms: list[str],
    *,
    lang: lab.Lang,
    labels: Mapping[str, str],
    stat: str,
    stars: Sequence[float],
    digits: Digits,
) -> list[tuple[str, ...]]:
    rows = []
    for term in terms:
        coef, paren = [term_label(term, lang, labels)], [""]
        for column in columns:
            value = column.params.get(term, math.nan)
            if math.isnan(value):
                coef.append("")
                paren.append("")
                continue
            # σ² is a variance, not a hypothesis of interest: no stars (ρ and λ keep theirs).
            pvalue = math.nan if term == "sigma2" else column.pvalues.get(term, math.nan)
            coef.append(format_number(value, digits) + star_marks(pvalue, stars))
            spread = (column.bse if stat == "se" else column.tvalues).get(term, math.nan)
            paren.append("" if math.isnan(spread) else f"({format_number(spread, digits)})")
        rows += [tuple(coef), tuple(paren)]
    return rows


def _fe_rows(columns: Sequence[Column], lang: lab.Lang, labels: Mapping[str, str]):
    keys: list[str] = []
    for column in columns:
        keys += [k for k in (column.fixed_effects or {}) if k not in keys]
    keys.sort(key=lambda k: {"entity": 0, "time": 1}.get(k, 2))
    rows = []
    for key in keys:
        if key in ("entity", "time"):
            name = lab.text(lang, f"fe_{key}")
        else:
            name = lab.text(lang, "fe_other").format(name=labels.get(key, key))
        cells = [name]
        for column in columns:
            if column.fixed_effects is None:
                cells.append("")
            else:
                cells.append(lab.text(lang, "yes" if column.fixed_effects.get(key) else "no"))
        rows.append(tuple(cells))
    return rows


def _stat_rows(
    columns: Sequence[Column], lang: lab.Lang, digits: Digits, labels: Mapping[str, str]
):
    rows = []
    models = {c.model for c in columns if c.model}
    if len(models) > 1:
        rows.append(
            (
                lab.text(lang, "model"),
                *(lab.model_name(lang, c.model) if c.model else "" for c in columns),
            )
        )
    rows += _fe_rows(columns, lang, labels)
    rows.append((lab.text(lang, "nobs"), *(str(c.nobs) for c in columns)))
    for attr in ("rsquared", "rsquared_within", "pseudo_r2", "llf"):
        values = [getattr(c, attr) for c in columns]
        if any(v is not None for v in values):
            cells = ("" if v is None else format_number(v, digits) for v in values)
            rows.append((lab.text(lang, attr), *cells))
    return rows


def stars_note(lang: lab.Lang, stars: Sequence[float]) -> str:
    """The star legend: ``*、**、***分别表示在10%、5%、1%的水平上显著`` for (0.1, 0.05, 0.01)."""
    levels = sorted(stars, reverse=True)
    sep = lab.text(lang, "list_sep")
    marks = sep.join("*" * (i + 1) for i in range(len(levels)))
    pct = sep.join(lab.percent(level) for level in levels)
    key = "stars" if len(levels) > 1 else "star_one"
    return lab.text(lang, key).format(marks=marks, levels=pct)


def _se_note(columns: Sequence[Column], lang: lab.Lang, labels: Mapping[str, str]) -> str | None:
    groups: dict[str, list[int]] = {}
    for i, column in enumerate(columns, start=1):
        if column.cov_type:
            groups.setdefault(lab.cov_name(lang, column.cov_type, labels), []).append(i)
    if not groups:
        return None
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(columns):
        return lab.text(lang, "se_is").format(what=next(iter(groups)))
    sep = lab.text(lang, "list_sep")
    items = [
        lab.text(lang, "se_item").format(cols=sep.join(f"({c})" for c in cols), what=what)
        for what, cols in groups.items()
    ]
    return lab.text(lang, "se_mixed").format(items=lab.text(lang, "se_item_sep").join(items))


def _fd_notes(columns: Sequence[Column], lang: lab.Lang) -> list[str]:
    """Whether the first-difference columns keep the intercept (plm/Stata) or drop it."""
    sep = lab.text(lang, "list_sep")
    found = []
    for flag, key in ((True, "fd_intercept"), (False, "fd_no_intercept")):
        cols = [i for i, c in enumerate(columns, start=1) if c.fd_intercept is flag]
        if cols:
            found.append(lab.text(lang, key).format(cols=sep.join(f"({c})" for c in cols)))
    return found


def _bias_notes(columns: Sequence[Column], lang: lab.Lang) -> list[str]:
    """One sentence per Lee-Yu convention of the spatial fixed-effects columns (none if none)."""
    groups: dict[str, list[int]] = {}
    for i, column in enumerate(columns, start=1):
        if column.bias_convention is not None:
            groups.setdefault(column.bias_convention, []).append(i)
    words = lab.BIAS_NOTES[lang]
    if len(groups) == 1:
        return [words[next(iter(groups))].format(cols="")]
    sep = lab.text(lang, "list_sep")
    return [
        words[key].format(cols=words["cols"].format(cols=sep.join(f"({c})" for c in cols)))
        for key, cols in groups.items()
    ]


def notes(
    columns: Sequence[Column],
    lang: lab.Lang,
    stat: str,
    stars: Sequence[float],
    labels: Mapping[str, str],
) -> str:
    """The standard note: what is in parentheses, the star legend, the SE convention."""
    sentences = [lab.text(lang, "paren_se" if stat == "se" else "paren_t")]
    if stars:
        sentences.append(stars_note(lang, stars))
    se = _se_note(columns, lang, labels)
    if se is not None:
        sentences.append(se)
    sentences += _fd_notes(columns, lang)
    sentences += _bias_notes(columns, lang)
    if any(c.pseudo_r2 is not None for c in columns):
        sentences.append(lab.text(lang, "pseudo_r2_note"))
    with_llf = [c for c in columns if c.llf is not None]
    if len({c.model.lower() in SPATIAL_MODELS for c in with_llf}) > 1:
        sentences.append(lab.text(lang, "llf_not_comparable"))
    body = lab.text(lang, "sentence_sep").join(sentences) + lab.text(lang, "sentence_end")
    return lab.text(lang, "notes_prefix") + body


def header(
    columns: Sequence[Column],
    *,
    lang: lab.Lang,
    labels: Mapping[str, str],
    column_titles: Sequence[str] | None,
    groups: Sequence[tuple[str, int]] | None,
) -> tuple[tuple[tuple[Span, ...], ...], tuple[tuple[int, int], ...]]:
    """Header rows (groups, column numbers, titles) and the column ranges of the group headings."""
    ncol = len(columns)
    rows: list[tuple[Span, ...]] = []
    rule: list[tuple[int, int]] = []
    if groups is not None:
        widths = [w for _, w in groups]
        if any(w < 1 for w in widths) or sum(widths) != ncol:
            raise StudySpecError(
                f"groups={list(groups)!r}: the widths {widths} must be positive and sum to the "
                f"number of results ({ncol})"
            )
        spans, start = [Span("", 0)], 1
        for text, width in groups:
            spans.append(Span(text, start, width))
            if text:
                rule.append((start, width))
            start += width
        rows.append(tuple(spans))
    rows.append(
        (Span(lab.text(lang, "variable"), 0), *(Span(f"({i})", i) for i in range(1, ncol + 1)))
    )
    depvars = [lab.derived_label(c.depvar, lang, labels) if c.depvar else "" for c in columns]
    if any(depvars):
        rows.append(
            (Span(lab.text(lang, "depvar"), 0), *(Span(t, i) for i, t in enumerate(depvars, 1)))
        )
    if column_titles is not None:
        if len(column_titles) != ncol:
            raise StudySpecError(
                f"column_titles has {len(column_titles)} entries for {ncol} results; give one each"
            )
        titles = [lab.derived_label(t, lang, labels) for t in column_titles]
        rows.append((Span("", 0), *(Span(t, i) for i, t in enumerate(titles, 1))))
    return tuple(rows), tuple(rule)


def build(
    results: Sequence[Any],
    *,
    lang: lab.Lang,
    labels: Mapping[str, str],
    column_titles: Sequence[str] | None,
    groups: Sequence[tuple[str, int]] | None,
    stat: str,
    stars: Sequence[float],
    digits: Digits,
    keep: Sequence[str] | None,
    drop: Sequence[str] | None,
    order: Sequence[str] | None,
    title: str | None,
    extra_notes: Sequence[str],
) -> Grid:
    """Return the grid of a regression table (options already checked by the caller)."""
    columns = [read_result(r, i) for i, r in enumerate(results)]
    terms = select_terms(columns, keep, drop, order)
    head, rule = header(
        columns, lang=lang, labels=labels, column_titles=column_titles, groups=groups
    )
    body = _coefficient_rows(
        columns, terms, lang=lang, labels=labels, stat=stat, stars=stars, digits=digits
    )
    body += _stat_rows(columns, lang, digits, labels)
    return Grid(
        header=head,
        body=tuple(body),
        title=title,
        notes=(notes(columns, lang, stat, stars, labels), *extra_notes),
        group_rule=rule,
    )
