"""Paper figures (matplotlib / seaborn): index trends by macro-region and Moran's I over time.

Chinese text needs a CJK font. `cjk_font` looks for one among the installed fonts and in the
``mplfonts`` package (``pip install "clusterdx[cjk]"``, Noto Sans CJK SC); without one, Chinese figures
fall back to English labels with a warning that says how to install the font. Figures are written with
fixed metadata so the same data give the same PNG bytes.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from typing import Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager

from clusterdx.regions.registry import table as region_table

Language = Literal["zh", "en"]

_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
)
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
}


@cache
def cjk_font() -> str | None:
    """Name of an available CJK font family, registering the ``mplfonts`` Noto font if installed."""
    try:
        import mplfonts

        fonts_dir = Path(mplfonts.__file__).parent / "fonts"
        for path in sorted(fonts_dir.glob("NotoSansCJKsc-Regular.otf")):
            font_manager.fontManager.addfont(str(path))
    except ImportError:
        pass
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in _CJK_FAMILIES if family in available), None)


def _language(lang: Language) -> Language:
    if lang == "zh" and cjk_font() is None:
        warnings.warn(
            "no Chinese (CJK) font found: figure text falls back to English. Install one with "
            "pip install 'clusterdx[cjk]' (Noto Sans CJK SC via mplfonts)",
            stacklevel=3,
        )
        return "en"
    return lang


def _style(lang: Language) -> dict:
    family = [cjk_font()] if lang == "zh" else []
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.dpi": 100,
    }


def _save(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = (
        {"Software": None} if path.suffix == ".png" else {"CreationDate": None, "Producer": None}
    )
    fig.savefig(path, bbox_inches="tight", dpi=200, metadata=metadata)
    plt.close(fig)


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
):
    """Line plot of the yearly mean of ``var`` by macro-region (east / central / west / northeast).

    Returns the matplotlib Figure (and writes it to ``path`` when given: .png or .pdf).
    """
    lang = _language(lang)
    k = 0 if lang == "zh" else 1
    registry = region_table(level)[["code", "macro_region"]]
    data = frame[[entity, time, var]].merge(registry, left_on=entity, right_on="code", how="left")
    data["macro"] = data["macro_region"].map(lambda m: _MACRO.get(m, (m, m))[k])
    means = data.groupby(["macro", time], sort=True)[var].mean().reset_index()
    with plt.rc_context(_style(lang)):
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
            hue_order=[v[k] for v in _MACRO.values()],
            style_order=[v[k] for v in _MACRO.values()],
        )
        ax.set_xlabel(_TEXT["year"][k])
        ax.set_ylabel(f"{label or var} ({_TEXT['mean'][k]})")
        ax.legend(title=None, frameon=False)
        sns.despine(fig)
        if path is not None:
            _save(fig, path)
    return fig


def moran_trend(
    moran: pd.DataFrame,
    *,
    label: str | None = None,
    lang: Language = "zh",
    path: Path | None = None,
):
    """Global Moran's I by year with its expectation; years with p < 0.05 (normal approx.) filled.

    ``moran`` is the output of `clusterdx.spatial.moran_by_year` (columns year, I, EI, p_norm).
    """
    lang = _language(lang)
    k = 0 if lang == "zh" else 1
    with plt.rc_context(_style(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.plot(
            moran["year"],
            moran["I"],
            color="black",
            marker="o",
            markerfacecolor="white",
            label=_TEXT["moran"][k],
        )
        significant = moran[moran["p_norm"] < 0.05]
        ax.plot(
            significant["year"],
            significant["I"],
            linestyle="none",
            marker="o",
            color="black",
            label=_TEXT["significant"][k],
        )
        ax.plot(
            moran["year"], moran["EI"], color="grey", linestyle="--", label=_TEXT["expected"][k]
        )
        ax.set_xlabel(_TEXT["year"][k])
        ax.set_ylabel(f"{_TEXT['moran'][k]}: {label}" if label else _TEXT["moran"][k])
        ax.legend(frameon=False)
        sns.despine(fig)
        if path is not None:
            _save(fig, path)
    return fig
