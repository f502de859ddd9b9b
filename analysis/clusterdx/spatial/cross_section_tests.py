"""Pesaran's CD test of cross-sectional dependence in a panel, global and local (using W).

With ρ̂_ij the sample correlation over time of the series (usually residuals) of units i and j,
Pesaran (2004, *CESifo WP* 1229, eq. 14; 2015, *Econometric Reviews* 34:1089-1117)::

    CD = sqrt(2 / (N(N − 1))) Σ_{i<j} sqrt(T) ρ̂_ij  →  N(0, 1)  under weak dependence,

and the local version (Pesaran 2004, §7) sums over the M neighbouring pairs only (w_ij ≠ 0 for
i > j): CD_local = Σ_{i<j, w_ij≠0} sqrt(T) ρ̂_ij / sqrt(M). Both as R plm's ``pcdtest(test="cd")``
(``w=`` for the local one) on a balanced panel.

Why hand-written: no Python package ships the CD test for panels (linearmodels, statsmodels and
pysal have none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import EstimationError
from clusterdx.options.spatial import (
    DEFAULT_ENTITY,
    DEFAULT_TIME,
)
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.spatial._data import align_weights, stack_panel


@dataclass(frozen=True)
class CDTestResult:
    """Outcome of a CD test: standard-normal ``statistic``, two-sided ``pvalue``, ``pairs`` used."""

    name: str
    statistic: float
    pvalue: float
    pairs: int
    mean_rho: float


def pesaran_cd(
    panel: pd.DataFrame | PanelFrame,
    column: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    w: Any = None,
) -> CDTestResult:
    """Pesaran's CD statistic of ``column`` (global, or local over W's neighbours when ``w`` is given).

    Parameters
    ----------
    panel
        Balanced long panel, or a :class:`clusterdx.paneldata.PanelFrame` with these columns
        (used as it is; its keys must be ``entity`` and ``time``).
    column
        The series to test, usually the residuals of a panel model.
    entity, time
        Unit and period columns (default ``"region"``, ``"year"``).
    w
        ``None`` for the global test, else a ``libpysal.weights.W`` or ``(matrix, ids)`` without
        islands; pairs with a non-zero weight in either direction are neighbours.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> common = np.repeat(rng.standard_normal(20)[None, :], 8, axis=0)
    >>> e = common + rng.standard_normal((8, 20))
    >>> panel = pd.DataFrame({"i": np.repeat(range(8), 20), "t": np.tile(range(20), 8),
    ...                       "e": e.ravel()})
    >>> res = pesaran_cd(panel, "e", entity="i", time="t")
    >>> res.pairs, round(res.statistic, 3), res.pvalue < 1e-6
    (28, 9.24, True)
    """
    data = stack_panel(panel, column, [], entity, time)
    series = data.y
    n, t = series.shape
    if n < 2 or t < 3:
        raise EstimationError(
            f"the CD test needs at least 2 units and 3 periods; {column!r} has N={n}, T={t}"
        )
    flat = np.std(series, axis=1) == 0
    if flat.any():
        raise EstimationError(
            f"{column!r} is constant over time for unit(s) "
            f"{[data.entities[i] for i in np.flatnonzero(flat)][:5]}; their correlation is undefined"
        )
    rho = np.corrcoef(series)
    lower = np.tril(np.ones((n, n), dtype=bool), k=-1)
    if w is None:
        select, name = lower, "Pesaran CD test"
    else:
        wm = align_weights(w, data.entities).toarray()
        select, name = lower & ((wm != 0) | (wm.T != 0)), "Pesaran local CD test"
    pairs = int(select.sum())
    if pairs == 0:
        raise EstimationError("W has no neighbouring pairs; the local CD test is undefined")
    values = rho[select]
    stat = float(np.sqrt(t) * values.sum() / np.sqrt(pairs))
    return CDTestResult(
        name, stat, float(2 * stats.norm.sf(abs(stat))), pairs, float(values.mean())
    )
