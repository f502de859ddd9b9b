r"""Goodman-Bacon decomposition of the two-way FE DID estimate under staggered timing.

Goodman-Bacon (2021, *J. Econometrics* 225, 254-277, Theorem 1): in a balanced panel with an
absorbing treatment and no controls, the TWFE coefficient is a weighted average of all 2×2 DIDs,
:math:`\hat\beta = \sum_k s_{kU}\hat\beta_{kU} + \sum_{k<l}(s^k_{kl}\hat\beta^k_{kl} +
s^l_{kl}\hat\beta^l_{kl})`: timing group k against the never treated U; an earlier group k
against a later one l before l is treated; and the later l against the already-treated k (the
"forbidden" comparison). With :math:`n` the group shares, :math:`\bar D_k` the share of periods
group k is treated and :math:`\hat V^D` the variance of the two-way demeaned treatment (eq. 10):

.. math::
    s_{kU} = (n_k+n_U)^2 n_{kU}(1-n_{kU})\bar D_k(1-\bar D_k)/\hat V^D,\\
    s^k_{kl} = ((n_k+n_l)(1-\bar D_l))^2 n_{kl}(1-n_{kl})
               \tfrac{\bar D_k-\bar D_l}{1-\bar D_l}\tfrac{1-\bar D_k}{1-\bar D_l}/\hat V^D,\\
    s^l_{kl} = ((n_k+n_l)\bar D_k)^2 n_{kl}(1-n_{kl})
               \tfrac{\bar D_l}{\bar D_k}\tfrac{\bar D_k-\bar D_l}{\bar D_k}/\hat V^D,

:math:`n_{kU}=n_k/(n_k+n_U)`, :math:`n_{kl}=n_k/(n_k+n_l)`. The weights sum to one and the
weighted sum reproduces :func:`clusterdx.panel.did` (tested). Why our own: no Python package has
it (Stata ``bacondecomp``, R ``bacondecomp``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.panel import (
    DEFAULT_ENTITY,
    DEFAULT_TIME,
)
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.paneldata.within import demean_cube


def bacon_decomposition(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
) -> pd.DataFrame:
    """All 2×2 comparisons of the TWFE DID with their estimates and weights.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel.
    y, treat_year, entity, time
        As :func:`clusterdx.panel.did`; never-treated entities have a missing, 0 or infinite
        ``treat_year`` (or one after the last period). Entities treated in the first period
        (always treated) are not supported.

    Returns
    -------
    DataFrame
        ``type`` ("treated vs never", "earlier vs later", "later vs earlier"), ``treated``,
        ``control`` (cohort, or "never"), ``estimate``, ``weight``; the TWFE estimate is
        ``(estimate * weight).sum()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(9), 6), "year": np.tile(range(6), 9)})
    >>> df["g"] = df["region"].map(lambda r: [2, 4, np.nan][r % 3])
    >>> df["y"] = (df["year"] >= df["g"]) * (1 + 0.5 * df["year"]) + rng.normal(0, 0.1, 54)
    >>> table = bacon_decomposition(df, "y", "g", entity="region", time="year")
    >>> table["type"].tolist(), round(float(table["weight"].sum()), 10)
    (['treated vs never', 'treated vs never', 'earlier vs later', 'later vs earlier'], 1.0)
    """
    if treat_year not in panel.columns:
        raise PanelError(f"treat_year column {treat_year!r} is not in the panel.")
    cohort_raw = pd.to_numeric(panel[treat_year], errors="coerce").replace([0, np.inf], np.nan)
    frame = PanelFrame(panel.assign(**{treat_year: cohort_raw.fillna(0.0)}), [y], entity, time,
                       extra=[treat_year], balanced=True).data  # fmt: skip
    wide = frame[y].unstack(time)
    periods = wide.columns.to_numpy(dtype=float)
    first = frame[treat_year].groupby(level=0).transform("first")
    if (first != frame[treat_year]).any():
        raise PanelError(f"{treat_year!r} varies within entities; it must be constant.")
    cohort = frame[treat_year].groupby(level=0).first().reindex(wide.index)
    cohort = cohort.where((cohort > 0) & (cohort <= periods[-1]), np.inf)  # 0: never treated
    if (cohort <= periods[0]).any():
        raise EstimationError(
            "entities treated in the first period (always treated) are not supported; drop them."
        )
    values = wide.to_numpy(float)
    groups = {g: values[(cohort == g).to_numpy()] for g in np.unique(cohort)}
    timing = sorted(g for g in groups if np.isfinite(g))
    if not timing:
        raise EstimationError("no entity is ever treated.")
    n_total = len(values)
    share = {g: len(groups[g]) / n_total for g in groups}
    dbar = {g: float((periods >= g).mean()) for g in timing}
    d = (periods[None, :] >= cohort.to_numpy()[:, None]).astype(float)
    demeaned = demean_cube(d, entity=True, time=True)
    var_d = float((demeaned**2).mean())

    def mean(g: float, window: np.ndarray) -> float:
        return float(groups[g][:, window].mean())

    rows = []
    never = np.inf in groups
    for k in timing:
        post, pre = periods >= k, periods < k
        if never:
            est = (mean(k, post) - mean(k, pre)) - (mean(np.inf, post) - mean(np.inf, pre))
            nk = share[k] / (share[k] + share[np.inf])
            w = (share[k] + share[np.inf]) ** 2 * nk * (1 - nk) * dbar[k] * (1 - dbar[k])
            rows.append(("treated vs never", k, "never", est, w / var_d))
    for i, k in enumerate(timing):
        for l in timing[i + 1 :]:  # noqa: E741 (Goodman-Bacon's notation)
            pre, mid, post = periods < k, (periods >= k) & (periods < l), periods >= l
            nkl = share[k] / (share[k] + share[l])
            dk, dl = dbar[k], dbar[l]
            early = (mean(k, mid) - mean(k, pre)) - (mean(l, mid) - mean(l, pre))
            w_early = ((share[k] + share[l]) * (1 - dl)) ** 2 * nkl * (1 - nkl)
            w_early *= (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl)
            late = (mean(l, post) - mean(l, mid)) - (mean(k, post) - mean(k, mid))
            w_late = ((share[k] + share[l]) * dk) ** 2 * nkl * (1 - nkl)
            w_late *= dl / dk * (dk - dl) / dk
            rows.append(("earlier vs later", k, l, early, w_early / var_d))
            rows.append(("later vs earlier", l, k, late, w_late / var_d))
    return pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
