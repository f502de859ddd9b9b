"""Paper figures (matplotlib / seaborn) of indices over time, spatial patterns and estimates.

Over time (this module): :func:`index_trends` (yearly means by macro-region), :func:`moran_trend`
(global Moran's I by year), :func:`index_density` (kernel-density evolution by year).
Spatial patterns: :func:`moran_scatter`, :func:`lisa_map` (classes from :func:`lisa_clusters`). Estimates: :func:`coef_plot`,
:func:`event_study_plot`, :func:`mediation_diagram`.

Every function returns the matplotlib Figure and, given ``path``, writes it as PNG or vector PDF
(by the suffix) with fixed metadata, so the same data give the same bytes. ``lang="zh"`` sets the
figure's own words in Chinese with a CJK font (see :func:`cjk_font`); without one it falls back
to English with a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy import stats

from clusterdx.errors import DataError, StudySpecError
from clusterdx.regions.registry import table as region_table
from clusterdx.report._estimate_figures import coef_plot, event_study_plot, mediation_diagram
from clusterdx.report._plotting import Language, check_path, cjk_font, language, save, style, word
from clusterdx.report._spatial_figures import (
    CLUSTER_COLOURS,
    lisa_clusters,
    lisa_map,
    moran_scatter,
)

__all__ = [
    "CLUSTER_COLOURS",
    "cjk_font",
    "coef_plot",
    "event_study_plot",
    "index_density",
    "index_trends",
    "lisa_clusters",
    "lisa_map",
    "mediation_diagram",
    "moran_scatter",
    "moran_trend",
]

DensityKind = Literal["ridge", "overlay"]
DENSITY_KINDS: tuple[str, ...] = ("ridge", "overlay")

_MACRO = {
    "east": ("东部", "East"),
    "central": ("中部", "Central"),
    "west": ("西部", "West"),
    "northeast": ("东北", "Northeast"),
}
_TEXT = {
    "year": ("年份", "Year"),
    "mean": ("均值", "mean"),
    "moran": ("莫兰指数 I", "Moran's I"),
    "expected": ("期望值 E[I]", "E[I]"),
    "significant": ("p < 0.05", "p < 0.05"),
    "density": ("核密度", "Density"),
}


def index_trends(
    frame: pd.DataFrame,
    var: str,
    *,
    level: str = "province",
    label: str | None = None,
    lang: Language = "zh",
    path: Path | None = None,
    entity: str = "region",
    time: str = "year",
    groups: pd.Series | None = None,
) -> Figure:
    """Line plot of the yearly mean of ``var`` by macro-region (east / central / west / northeast).

    ``groups`` (a Series: region code -> group name, e.g. the ``group`` column of a study's own
    ``[regions]``) replaces the registry's macro-regions. Returns the matplotlib Figure (and
    writes it to ``path`` when given: .png or .pdf).
    """
    lang = language(lang)
    target = check_path(path)
    macro = {key: word(_MACRO, key, lang) for key in _MACRO}
    macro_of = region_table(level).set_index("code")["macro_region"]
    if groups is not None:
        macro_of = groups.astype(str)
        macro = {key: key for key in sorted(macro_of.unique())}
    data = frame[[entity, time, var]].assign(macro_region=frame[entity].map(macro_of))
    unknown = data.loc[data["macro_region"].isna(), entity].unique().tolist()
    if unknown:
        raise DataError(
            f"index_trends: {entity!r} values {unknown[:5]} are not {level} codes of the region "
            "registry (6-digit integers such as 110000); convert or drop them"
        )
    data["macro"] = data["macro_region"].map(lambda m: macro.get(m, m))
    means = data.groupby(["macro", time], sort=True)[var].mean().reset_index()
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        sns.lineplot(
            data=means,
            x=time,
            y=var,
            hue="macro",
            style="macro",
            markers=True,
            dashes=False,
            ax=ax,
            hue_order=list(macro.values()),
            style_order=list(macro.values()),
        )
        ax.set_xlabel(word(_TEXT, "year", lang))
        ax.set_ylabel(f"{label or var} ({word(_TEXT, 'mean', lang)})")
        outside = {"loc": "center left", "bbox_to_anchor": (1, 0.5)} if len(macro) > 4 else {}
        ax.legend(title=None, frameon=False, **outside)
        sns.despine(fig)
        save(fig, target)
    return fig


def moran_trend(
    moran: pd.DataFrame,
    *,
    label: str | None = None,
    lang: Language = "zh",
    path: Path | None = None,
) -> Figure:
    """Global Moran's I by year with its expectation; years with p < 0.05 (normal approx.) filled.

    ``moran`` is the output of `clusterdx.spatial.moran_by_year` (columns year, I, EI, p_norm).
    """
    lang = language(lang)
    target = check_path(path)
    with plt.rc_context(style(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.plot(
            moran["year"],
            moran["I"],
            color="black",
            marker="o",
            markerfacecolor="white",
            label=word(_TEXT, "moran", lang),
        )
        significant = moran[moran["p_norm"] < 0.05]
        ax.plot(
            significant["year"],
            significant["I"],
            linestyle="none",
            marker="o",
            color="black",
            label=word(_TEXT, "significant", lang),
        )
        ax.plot(
            moran["year"],
            moran["EI"],
            color="grey",
            linestyle="--",
            label=word(_TEXT, "expected", lang),
        )
        ax.set_xlabel(word(_TEXT, "year", lang))
        name = word(_TEXT, "moran", lang)
        ax.set_ylabel(f"{name}: {label}" if label else name)
        ax.legend(frameon=False)
        sns.despine(fig)
        save(fig, target)
    return fig


def _densities(
    frame: pd.DataFrame, var: str, time: str, years: Sequence | None
) -> tuple[np.ndarray, list, list[np.ndarray]]:
    """Evaluation grid, the chosen periods and each period's Gaussian kernel density on the grid."""
    missing = [c for c in (var, time) if c not in frame.columns]
    if missing:
        raise DataError(
            f"columns {missing} are not in the data; available columns: {list(frame.columns)}"
        )
    data = frame[[time, var]].dropna()
    available = sorted(data[time].unique())
    chosen = available if years is None else list(years)
    absent = [y for y in chosen if y not in available]
    if absent:
        raise DataError(f"years {absent} have no non-missing {var!r}; available years: {available}")
    samples = [data.loc[data[time] == y, var].to_numpy(dtype=float) for y in chosen]
    for period, values in zip(chosen, samples, strict=True):
        if np.unique(values).size < 2:
            raise DataError(
                f"{var!r} in year {period!r} has fewer than two distinct values; a kernel "
                "density needs variation (drop that year with years=[...])"
            )
    kernels = [stats.gaussian_kde(v) for v in samples]
    low = min(v.min() for v in samples)
    high = max(v.max() for v in samples)
    reach = max(float(np.sqrt(k.covariance[0, 0])) for k in kernels)
    pad = max(0.15 * (high - low), 3 * reach)
    grid = np.linspace(low - pad, high + pad, 256)
    return grid, chosen, [k(grid) for k in kernels]


def index_density(
    frame: pd.DataFrame,
    var: str,
    *,
    time: str = "year",
    years: Sequence | None = None,
    kind: DensityKind = "ridge",
    label: str | None = None,
    lang: Language = "zh",
    path: Path | None = None,
) -> Figure:
    r"""Kernel-density evolution of ``var`` across regions, one curve per year.

    Each year's density is the Gaussian kernel estimate
    :math:`\hat f_t(x) = \frac{1}{n_t h_t}\sum_i \phi\big((x - x_{it})/h_t\big)` with Scott's
    (1992, *Multivariate Density Estimation*, Wiley, p. 152) bandwidth
    :math:`h_t = \hat\sigma_t n_t^{-1/5}` (``scipy.stats.gaussian_kde``), the usual picture of
    regional convergence or polarisation (Quah 1993, *European Economic Review* 37:426-434).
    The densities are computed here (not with seaborn) so both kinds show the same curves:
    ``"ridge"`` stacks the years bottom-up (earliest at the bottom), each scaled to a common
    height; ``"overlay"`` draws them on one axis coloured from light (earliest) to dark.

    Parameters
    ----------
    frame : long panel.
    var : variable whose distribution across regions is drawn.
    time : period column.
    years : periods to draw (default every period, in order).
    kind : ``"ridge"`` or ``"overlay"``.
    label : display name of ``var`` (x-axis).
    lang, path : wording language; output file (.png or .pdf).
    """
    if kind not in DENSITY_KINDS:
        raise StudySpecError(
            f"kind={kind!r} is not one of the allowed values {list(DENSITY_KINDS)}"
        )
    lang = language(lang)
    target = check_path(path)
    grid, chosen, dens = _densities(frame, var, time, years)
    colours = sns.color_palette("crest", len(chosen))
    with plt.rc_context(style(lang)):
        if kind == "ridge":
            fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.42 * len(chosen)))
            scale = 1.6 / max(d.max() for d in dens)
            for i, d in enumerate(dens):
                base = float(i)
                # lower (earlier) ridges in front of the ones above them
                order = 2 * (len(dens) - i)
                ax.fill_between(grid, base, base + d * scale, color=colours[i], lw=0, zorder=order)
                ax.plot(grid, base + d * scale, color="black", lw=0.6, zorder=order + 1)
                ax.axhline(base, color="grey", lw=0.4)
            ax.set_yticks(range(len(chosen)), [str(p) for p in chosen])
            top = max(i + d.max() * scale for i, d in enumerate(dens))
            ax.set_ylim(-0.2, top + 0.15)
            ax.set_ylabel(word(_TEXT, "year", lang))
            sns.despine(fig, left=True)
        else:
            fig, ax = plt.subplots(figsize=(6.4, 4.0))
            for i, (period, d) in enumerate(zip(chosen, dens, strict=True)):
                ax.plot(grid, d, color=colours[i], lw=1.4, label=str(period))
            ax.set_ylabel(word(_TEXT, "density", lang))
            ax.legend(
                title=word(_TEXT, "year", lang),
                frameon=False,
                ncols=2 if len(chosen) > 7 else 1,
                fontsize="small",
            )
            sns.despine(fig)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_xlabel(label or var)
        save(fig, target)
    return fig
