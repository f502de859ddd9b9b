"""'Replace W' robustness and spillover decay: re-fit one spatial model under several weights.

``replace_w`` fits the same model under each listed weights matrix (geographic, economic,
nested, ...) and returns one effects table with a column per matrix, the usual robustness check
of the spatial spillover literature (Elhorst 2014, *Spatial Econometrics*, §2.9; LeSage & Pace
2009, §2.9 on the sensitivity of effects to W).

``spillover_decay`` re-fits the model with inverse-distance weights w_ij = d_ij^{-power} truncated
at successive distance bands d_ij ≤ b (row-standardised) and returns each regressor's indirect
(spillover) effect with its confidence interval by band: the spillover-distance profile of
e.g. Keller (2002, *American Economic Review* 92:120-142) as drawn in regional spillover papers.
The effects and their simulated standard errors come from :func:`clusterdx.spatial.fit` and
``impacts`` (dynamic models: short-run effects unless ``horizon="long"``). Both validate the panel
once and hand the same :class:`~clusterdx.paneldata.PanelFrame` to every fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
from scipy import stats

from clusterdx.errors import WeightsError
from clusterdx.options.spatial import (
    DEFAULT_ALPHA,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
)
from clusterdx.paneldata.frame import PanelFrame


def _effects(res: Any, draws: int, seed: int, horizon: str) -> pd.DataFrame:
    imp = res.impacts(draws=draws, seed=seed)
    if imp.columns.nlevels == 3:  # dynamic model: (horizon, impact, stat)
        imp = imp[horizon]
    return imp


def replace_w(
    panel: pd.DataFrame | PanelFrame,
    y: str,
    x: Sequence[str],
    weights: Mapping[str, Any],
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    draws: int = 1000,
    seed: int = DEFAULT_SEED,
    horizon: Literal["short", "long"] = "short",
    **fit_options: Any,
) -> pd.DataFrame:
    """Direct / indirect / total effects of one model under each weights matrix.

    Parameters
    ----------
    panel
        Long panel (validated once for all the fits) or a
        :class:`clusterdx.paneldata.PanelFrame` with ``y`` and ``x``, used as it is.
    weights
        ``{name: W}`` in column order (``libpysal.weights.W`` or ``(matrix, ids)``).
    fit_options
        Passed to :func:`clusterdx.spatial.fit` (``model``, ``effects``, ``dynamic``, ...).

    Returns
    -------
    pandas.DataFrame
        Rows (variable, impact, stat) with stat ``est`` / ``se`` / ``p``; one column per matrix.

    Examples
    --------
    >>> import libpysal
    >>> from clusterdx.datasets import spatial_panel
    >>> rook = libpysal.weights.lat2W(5, 5); rook.transform = "r"
    >>> queen = libpysal.weights.lat2W(5, 5, rook=False); queen.transform = "r"
    >>> panel = spatial_panel(rook, 5, beta=[1.0], theta=[0.5], rho=0.4, seed=0)
    >>> table = replace_w(panel, "y", ["x1"], {"rook": rook, "queen": queen},
    ...                   model="sdm", effects="twoways", draws=100)
    >>> list(table.columns), table.loc[("x1", "indirect", "est")].round(2).tolist()
    (['rook', 'queen'], [1.33, 1.13])
    """
    from clusterdx.spatial._data import spatial_frame
    from clusterdx.spatial.models import fit

    if not weights:
        raise WeightsError("weights is empty; list at least one {name: W} to compare")
    panel = spatial_frame(panel, y, x, entity, time)
    columns = {}
    for name, w in weights.items():
        res = fit(panel, y=y, x=x, w=w, entity=entity, time=time, **fit_options)
        imp = _effects(res, draws, seed, horizon)
        columns[name] = pd.Series(
            {
                (var, kind, stat): float(imp.loc[var, (kind, stat)])
                for var in imp.index
                for kind in ("direct", "indirect", "total")
                for stat in ("est", "se", "p")
            }
        )
    table = pd.DataFrame(columns)
    table.index.names = ["variable", "impact", "stat"]
    return table


def spillover_decay(
    panel: pd.DataFrame | PanelFrame,
    y: str,
    x: Sequence[str],
    regions: pd.DataFrame,
    *,
    bands: Sequence[float],
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    power: float = 1.0,
    alpha: float = DEFAULT_ALPHA,
    draws: int = 1000,
    seed: int = DEFAULT_SEED,
    horizon: Literal["short", "long"] = "short",
    **fit_options: Any,
) -> pd.DataFrame:
    """Indirect effects re-fitted with inverse-distance weights truncated at each distance band.

    Parameters
    ----------
    panel
        Long panel, validated once for the fits of all bands; a
        :class:`clusterdx.paneldata.PanelFrame` with ``y`` and ``x`` is used as it is.
    regions
        ``code``, ``lon``, ``lat`` of the panel's entities (``clusterdx.regions.provinces()``).
    bands
        Increasing cut-offs in km (e.g. ``range(300, 2001, 100)``); every region needs a
        neighbour within the first one.

    Returns
    -------
    pandas.DataFrame
        Columns ``band_km``, ``variable``, ``est``, ``se``, ``lower``, ``upper`` (the 1 − α
        interval est ± z·se), one row per band and regressor.
    """
    from clusterdx.spatial._data import spatial_frame
    from clusterdx.spatial.models import fit
    from clusterdx.weights import inverse_distance

    bands = [float(b) for b in bands]
    if not bands or any(b <= 0 for b in bands) or bands != sorted(set(bands)):
        raise WeightsError(f"bands must be increasing positive distances in km; got {bands}")
    panel = spatial_frame(panel, y, x, entity, time)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for band in bands:
        w = inverse_distance(regions, power=power, cutoff=band)
        if w.islands:
            raise WeightsError(
                f"at the {band:g} km band regions {w.islands[:5]} have no neighbour; start the "
                "bands at a larger distance"
            )
        res = fit(panel, y=y, x=x, w=w, entity=entity, time=time, **fit_options)
        ind = _effects(res, draws, seed, horizon)["indirect"]
        for var in ind.index:
            est, se = float(ind.loc[var, "est"]), float(ind.loc[var, "se"])
            rows.append((band, var, est, se, est - z * se, est + z * se))
    return pd.DataFrame(rows, columns=["band_km", "variable", "est", "se", "lower", "upper"])
