"""Figure of the spillover decay: indirect effect and its confidence band against distance."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from clusterdx.errors import OptionError
from clusterdx.report._plotting import save, style


def decay_figure(decay: pd.DataFrame, variable: str, path: str | Path, label: str = "") -> Path:
    """Plot ``variable``'s indirect effect (``est``) and ``lower``/``upper`` band by ``band_km``.

    ``decay`` is the table of :func:`clusterdx.spatial.spillover_decay`.
    """
    part = decay[decay["variable"] == variable]
    if part.empty:
        raise OptionError(
            f"variable={variable!r} is not in the decay table; choose one of "
            f"{sorted(decay['variable'].unique())}"
        )
    path = Path(path)
    with mpl.rc_context(style("en")):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.fill_between(part["band_km"], part["lower"], part["upper"], alpha=0.25, color="C0")
        ax.plot(part["band_km"], part["est"], marker="o", color="C0")
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("distance band (km)")
        ax.set_ylabel(f"indirect effect of {label or variable}")
        save(fig, path)
    return path
