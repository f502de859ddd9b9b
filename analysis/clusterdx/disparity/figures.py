"""Figure of the disparity module: the kernel-density surface over years (3-D), the 动态演进 picture."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from clusterdx.disparity.kernel import DensitySurface
from clusterdx.report._plotting import Language, check_path, language, save, style

_TEXT = {"year": ("年份", "Year"), "density": ("核密度", "Density")}


def kernel_surface(
    surface: DensitySurface,
    label: str | None = None,
    lang: Language = "zh",
    path: str | Path | None = None,
    elev: float = 28.0,
    azim: float = -60.0,
) -> Figure:
    """3-D surface of the kernel densities (value × year × density) of `density_surface`.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdx.disparity import density_surface
    >>> t = pd.DataFrame({"year": [1] * 4 + [2] * 4, "y": [1.0, 2, 3, 4, 2, 3, 4, 5]})
    >>> fig = kernel_surface(density_surface(t, "y", points=40), lang="en")
    >>> fig.axes[0].get_ylabel()
    'Year'
    """
    lang = language(lang)
    target = check_path(path)
    index = 0 if lang == "zh" else 1
    years = np.arange(len(surface.periods))
    gx, gy = np.meshgrid(surface.grid, years)
    with plt.rc_context(style(lang)):
        fig = plt.figure(figsize=(7.0, 5.0))
        ax = fig.add_subplot(projection="3d")
        ax.plot_surface(
            gx, gy, surface.density, cmap="viridis", linewidth=0.2, edgecolor="k", alpha=0.9
        )
        step = max(1, len(years) // 7)
        ax.set_yticks(years[::step], [str(p) for p in surface.periods][::step])
        ax.set_xlabel(label or "")
        ax.set_ylabel(_TEXT["year"][index])
        ax.set_zlabel(_TEXT["density"][index])
        ax.view_init(elev=elev, azim=azim)
        save(fig, target)
    return fig
