"""Figures of estimates: coefficient plot, event-study plot and mediation path diagram."""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from scipy import stats

from clusterdx.errors import DataError, StudySpecError
from clusterdx.report._plotting import Language, check_path, language, save, style, word
from clusterdx.report._regression import SPATIAL_TERMS, star_marks, stars_note, term_label

_NOT_PLOTTED = frozenset(
    {"sigma2", "phi", "const", "Intercept", "intercept", "_cons", "(Intercept)"}
)
_TEXT = {
    "estimate": ("估计系数", "Estimate"),
    "ci": ("{level}%置信区间", "{level}% confidence interval"),
    "period": ("相对政策实施的期数", "Periods relative to treatment"),
    "reference": ("基期", "Reference period"),
    "model": ("模型{i}", "Model {i}"),
    "total": ("总效应 c = {c}", "Total effect c = {c}"),
}
_EVENT_COLUMNS = ("period", "estimate", "ci_low", "ci_high")
_PATHS = ("a", "b", "c_prime")
# Row names of clusterdx.panel.mediation's ``table`` for each path of the diagram.
_MEDIATION_ROWS = {"a": "a (x->m)", "b": "b (m->y|x)", "c_prime": "direct c'", "c": "total c"}
_EVENT_RENAME = {"event_time": "period", "coef": "estimate", "lower": "ci_low", "upper": "ci_high"}


def _interval(result: Any, alpha: float, position: int) -> tuple[pd.Series, pd.DataFrame]:
    """Estimates and ``1 - alpha`` intervals: the result's ``conf_int(alpha)``, else ± z·bse."""
    params = getattr(result, "params", None)
    if params is None:
        raise TypeError(
            f"result {position + 1} ({type(result).__name__}) has no 'params'; a coefficient plot "
            "needs params with conf_int(alpha) or bse"
        )
    params = pd.Series(params, dtype=float)
    conf_int = getattr(result, "conf_int", None)
    if conf_int is not None and "alpha" in inspect.signature(conf_int).parameters:
        bounds = pd.DataFrame(conf_int(alpha=alpha)).astype(float)
        bounds.columns = ["low", "high"]
        return params, bounds
    bse = getattr(result, "bse", getattr(result, "std_errors", None))
    if bse is None:
        raise TypeError(
            f"result {position + 1} ({type(result).__name__}) has neither conf_int(alpha=...) "
            "nor bse / std_errors"
        )
    half = stats.norm.ppf(1 - alpha / 2) * pd.Series(bse, dtype=float)
    return params, pd.DataFrame({"low": params - half, "high": params + half})


def coef_plot(
    results: Sequence[Any] | Mapping[str, Any],
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    lang: Language = "zh",
    path: str | Path | None = None,
) -> Figure:
    """Coefficient plot: each term's estimate (point) and ``1 - alpha`` confidence interval (bar).

    Terms run top to bottom in the order of ``terms`` (default: the regressors, their spatial lags
    ``W_<x>``, then ρ and λ, as in :class:`~clusterdx.report.RegressionTable`; the intercept, σ²
    and φ are left out) and are labelled as in the tables (``W×<label>`` for spatial lags);
    several models are drawn side by side within a term, with a legend. Intervals are the results' own ``conf_int(alpha=alpha)`` (t- or
    normal-based as the estimator defines them), else estimate ± z_{1-α/2}·se.

    Parameters
    ----------
    results : results with ``params`` and ``conf_int(alpha)`` or ``bse``; a mapping gives the
        legend names, a sequence is named (1), (2), ...
    terms : terms (as in ``params``) to plot.
    labels : display names of terms.
    alpha : 1 − confidence level.
    lang, path : wording language; output file (.png or .pdf).
    """
    if not 0 < alpha < 1:
        raise StudySpecError(f"alpha={alpha!r} must lie between 0 and 1, e.g. 0.05")
    lang = language(lang)
    target = check_path(path)
    named = (
        list(results.items())
        if isinstance(results, Mapping)
        else [(f"({i})", r) for i, r in enumerate(results, 1)]
    )
    if not named:
        raise StudySpecError("coef_plot needs at least one result")
    fits = [(name, *_interval(r, alpha, i)) for i, (name, r) in enumerate(named)]
    seen: list[str] = []
    for _, params, _ in fits:
        seen += [t for t in params.index if t not in seen]
    if terms is None:
        plain = [t for t in seen if t not in (*_NOT_PLOTTED, *SPATIAL_TERMS) and t[:2] != "W_"]
        lagged = [f"W_{t}" for t in plain if f"W_{t}" in seen]
        lagged += [t for t in seen if t[:2] == "W_" and t not in lagged]
        terms = plain + lagged + [t for t in ("rho", "lambda") if t in seen]
    unknown = [t for t in terms if t not in seen]
    if unknown or not terms:
        raise StudySpecError(
            f"terms={list(terms)!r}: {unknown} are in no result; available: {seen}"
        )
    labels = dict(labels or {})
    k = len(fits)
    offsets = (np.arange(k) - (k - 1) / 2) * (0.6 / max(k, 1)) if k > 1 else np.zeros(1)
    colours = sns.color_palette("colorblind", k) if k > 1 else ["black"]
    markers = ["o", "s", "D", "^", "v", "P", "X"]
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(6.0, 0.8 + 0.32 * len(terms) * (1 + 0.25 * (k - 1))))
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        for j, (name, params, bounds) in enumerate(fits):
            shown = [t for t in terms if t in params.index]
            ypos = np.array([terms.index(t) for t in shown]) + offsets[j]
            est = params[shown].to_numpy()
            low = bounds.loc[shown, "low"].to_numpy()
            high = bounds.loc[shown, "high"].to_numpy()
            ax.errorbar(
                est,
                ypos,
                xerr=np.vstack([est - low, high - est]),
                fmt=markers[j % len(markers)],
                color=colours[j],
                ms=5,
                capsize=3,
                lw=1.2,
                label=name,
            )
        ax.set_yticks(range(len(terms)), [term_label(t, lang, labels) for t in terms])
        ax.set_ylim(len(terms) - 0.5, -0.5)
        level = f"{100 * (1 - alpha):g}"
        ax.set_xlabel(
            f"{word(_TEXT, 'estimate', lang)} ({word(_TEXT, 'ci', lang).format(level=level)})"
        )
        if k > 1:
            ax.legend(frameon=False, fontsize="small")
        sns.despine(fig)
        save(fig, target)
    return fig


def event_study_plot(
    estimates: pd.DataFrame | Any,
    *,
    reference: float = -1,
    label: str | None = None,
    lang: Language = "zh",
    path: str | Path | None = None,
) -> Figure:
    """Event-study plot: coefficients by period relative to treatment with confidence intervals.

    Dynamic difference-in-differences (e.g. Jacobson, LaLonde & Sullivan 1993, *American Economic
    Review* 83:685-709; Sun & Abraham 2021, *Journal of Econometrics* 225:175-199) normalises the
    coefficient of the period before treatment (``reference``, usually −1) to zero: that period is
    drawn as a hollow point at zero when it is not in ``estimates``, with a vertical dashed line
    through it; the horizontal line marks zero. Pre-period coefficients near zero support parallel
    trends.

    Parameters
    ----------
    estimates : columns ``period``, ``estimate``, ``ci_low``, ``ci_high``, one row per period;
        or a result of :func:`clusterdx.panel.did.event_study` (its ``coefs`` and ``ref``).
    reference : the omitted (normalised) period (a result's own ``ref`` wins).
    label : y-axis title (default "Estimate").
    lang, path : wording language; output file (.png or .pdf).
    """
    coefs = getattr(estimates, "coefs", None)
    if isinstance(coefs, pd.DataFrame):
        reference = getattr(estimates, "ref", reference)
        estimates = coefs.rename(columns=_EVENT_RENAME)
        estimates = estimates[estimates["period"] != reference]
    missing = [c for c in _EVENT_COLUMNS if c not in estimates.columns]
    if missing:
        raise DataError(
            f"event-study estimates lack columns {missing}; give columns {list(_EVENT_COLUMNS)} "
            f"(found {list(estimates.columns)})"
        )
    data = estimates[list(_EVENT_COLUMNS)].astype(float).sort_values("period")
    if data["period"].duplicated().any():
        dup = sorted(set(data.loc[data["period"].duplicated(), "period"]))
        raise DataError(f"periods {dup} appear more than once in the event-study estimates")
    bad = data[(data["ci_low"] > data["estimate"]) | (data["ci_high"] < data["estimate"])]
    if len(bad):
        raise DataError(
            f"in periods {list(bad['period'])} the estimate lies outside [ci_low, ci_high]"
        )
    lang = language(lang)
    target = check_path(path)
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(
            reference, color="#d7191c", lw=0.9, ls="--", label=word(_TEXT, "reference", lang)
        )
        line = data[["period", "estimate"]]
        if reference not in set(data["period"]):
            line = pd.concat([line, pd.DataFrame({"period": [reference], "estimate": [0.0]})])
        line = line.sort_values("period")
        ax.plot(line["period"], line["estimate"], color="black", lw=1.0)
        est = data["estimate"].to_numpy()
        ax.errorbar(
            data["period"],
            est,
            yerr=np.vstack([est - data["ci_low"], data["ci_high"] - est]),
            fmt="o",
            color="black",
            ms=4.5,
            lw=1.0,
            capsize=3,
            label=word(_TEXT, "estimate", lang),
        )
        if reference not in set(data["period"]):
            ax.plot([reference], [0.0], "o", color="black", mfc="white", ms=5.5, zorder=4)
        periods = sorted(set(data["period"]) | {float(reference)})
        if all(float(p).is_integer() for p in periods):
            ax.set_xticks(periods, [str(int(p)) for p in periods])
        ax.set_xlabel(word(_TEXT, "period", lang))
        ax.set_ylabel(label or word(_TEXT, "estimate", lang))
        ax.legend(frameon=False, fontsize="small")
        sns.despine(fig)
        save(fig, target)
    return fig


def _path_text(paths: Mapping[str, tuple[float, float]], key: str, stars, digits: int) -> str:
    estimate, pvalue = paths[key]
    return f"{estimate:.{digits}f}{star_marks(float(pvalue), stars)}"


def mediation_diagram(
    paths: Mapping[str, tuple[float, float]] | Any,
    *,
    names: tuple[str, str, str] = ("X", "M", "Y"),
    stars: Sequence[float] = (0.1, 0.05, 0.01),
    digits: int = 3,
    lang: Language = "zh",
    path: str | Path | None = None,
) -> Figure:
    r"""Path diagram of a simple mediation model: boxes X → M → Y and X → Y with coefficients.

    The three equations of Baron & Kenny (1986, *Journal of Personality and Social Psychology*
    51:1173-1182), as used in Chinese economics (温忠麟、叶宝娟 2014, 《心理科学进展》22(5):731-745):
    :math:`M = a X + \dots`, :math:`Y = c' X + b M + \dots`, and :math:`Y = c X + \dots` (total
    effect, optional). Each arrow carries its estimate with significance stars (``p < level``).

    Parameters
    ----------
    paths : ``{"a": (estimate, p), "b": (estimate, p), "c_prime": (estimate, p)}``, optionally
        ``"c": (estimate, p)`` for the total effect (printed under the diagram); or a
        three-step result of :func:`clusterdx.panel.mediation` (read from its ``table``).
    names : display names of X, M and Y.
    stars : significance levels; ``()`` for none.
    digits : decimals.
    lang, path : wording language; output file (.png or .pdf).
    """
    table = getattr(paths, "table", None)
    if isinstance(table, pd.DataFrame):
        paths = {
            key: (table.loc[row, "estimate"], table.loc[row, "pvalue"])
            for key, row in _MEDIATION_ROWS.items()
            if row in table.index
        }
    missing = [k for k in _PATHS if k not in paths]
    unknown = [k for k in paths if k not in (*_PATHS, "c")]
    if missing or unknown:
        raise StudySpecError(
            f"paths needs keys {list(_PATHS)} (and optionally 'c'); missing {missing}, "
            f"unknown {unknown}"
        )
    for key, value in paths.items():
        if len(value) != 2 or any(not math.isfinite(float(v)) for v in value):
            raise StudySpecError(f"paths[{key!r}]={value!r} must be (estimate, p-value), finite")
    if len(names) != 3:
        raise StudySpecError(f"names={names!r} must give three names: X, M, Y")
    levels = tuple(sorted(stars, reverse=True))
    lang = language(lang)
    target = check_path(path)
    centres = {"x": (0.16, 0.22), "m": (0.5, 0.74), "y": (0.84, 0.22)}
    width, height = 0.26, 0.16
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 0.86)
        ax.axis("off")
        for key, name in zip(("x", "m", "y"), names, strict=True):
            cx, cy = centres[key]
            ax.add_patch(
                FancyBboxPatch(
                    (cx - width / 2, cy - height / 2),
                    width,
                    height,
                    boxstyle="round,pad=0.01",
                    facecolor="#f2f2f2",
                    edgecolor="black",
                    lw=1.0,
                )
            )
            ax.text(cx, cy, name, ha="center", va="center", fontsize=11, wrap=True)
        arrows = {
            "a": ((0.16, 0.31), (0.5 - width / 2, 0.74), (0.25, 0.54, "right")),
            "b": ((0.5 + width / 2, 0.74), (0.84, 0.31), (0.75, 0.54, "left")),
            "c_prime": (
                (0.16 + width / 2 + 0.01, 0.22),
                (0.84 - width / 2 - 0.01, 0.22),
                (0.5, 0.25, "center"),
            ),
        }
        symbols = {"a": "a", "b": "b", "c_prime": "c′"}
        for key, (start, end, (tx, ty, align)) in arrows.items():
            ax.add_patch(
                FancyArrowPatch(
                    start, end, arrowstyle="-|>", mutation_scale=14, lw=1.2, color="black"
                )
            )
            ax.text(
                tx,
                ty,
                f"{symbols[key]} = {_path_text(paths, key, levels, digits)}",
                ha=align,
                va="bottom",
                fontsize=10,
            )
        footer = []
        if "c" in paths:
            footer.append(
                word(_TEXT, "total", lang).format(c=_path_text(paths, "c", levels, digits))
            )
        if levels:
            footer.append(stars_note(lang, levels))
        if footer:
            ax.text(
                0.5,
                0.01,
                "；".join(footer) if lang == "zh" else "; ".join(footer),
                ha="center",
                va="bottom",
                fontsize=8,
                color="dimgrey",
            )
        save(fig, target)
    return fig
