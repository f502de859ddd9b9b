r"""Instrument builders: historical × time-series interaction, Bartik shift-share, spatial lag.

* :func:`historical_interaction`: :math:`z_{it}=h_i\,s_{t-\ell}`, a pre-determined cross-section
  (e.g. telephones per 10,000 people in 1984) times a national series lagged :math:`\ell` periods,
  the time-varying version of a historical instrument (Nunn & Qian 2014, *AER* 104, 1630-1666;
  Huang, Yu & Zhang 2019, *China Industrial Economics* (5), on 1984 post and telephones).
* :func:`bartik`: :math:`z_{rt}=\sum_k s_{rk,0}\,g_{kt}`, base-period industry shares times
  national industry growth (Bartik 1991; Goldsmith-Pinkham, Sorkin & Swift 2020, *AER* 110,
  2586-2624), optionally leave-one-out growth
  :math:`g_{kt}^{(-r)}` computed from the other regions' levels (Borusyak, Hull & Jaravel 2022).
* :func:`spatial_lag`: :math:`(Wz)_{it}=\sum_j w_{ij}z_{jt}`, period by period.

Small pure functions on long panels; nothing in the ecosystem builds them from panel columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from libpysal.weights import W

from clusterdx.errors import PanelError
from clusterdx.options.panel import DEFAULT_ENTITY, DEFAULT_TIME
from clusterdx.weights.matrix import dense
from clusterdx.weights.validate import align


def historical_interaction(
    panel: pd.DataFrame,
    base: str | pd.Series,
    series: str | pd.Series,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    lag: int = 1,
) -> pd.Series:
    """:math:`h_i\\,s_{t-lag}` for every row of ``panel`` (NaN where the lagged period is absent).

    Parameters
    ----------
    panel : DataFrame
        Long panel.
    base : str or Series
        The cross-section :math:`h_i`: a column constant within entities, or a Series indexed by
        entity.
    series : str or Series
        The national series :math:`s_t`: a column constant within periods, or a Series indexed by
        period.
    entity, time : str, default "region", "year"
        Key columns.
    lag : int
        Periods of lag (default 1; integer periods such as years).

    Examples
    --------
    >>> panel = pd.DataFrame({"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2021]})
    >>> phones = pd.Series({"A": 2.0, "B": 3.0})
    >>> internet = pd.Series({2019: 10.0, 2020: 20.0, 2021: 40.0})
    >>> historical_interaction(panel, phones, internet).tolist()
    [20.0, 40.0, 30.0, 60.0]
    """
    h = _by_key(panel, base, entity, "base")
    s = _by_key(panel, series, time, "series")
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        raise PanelError(f"lag={lag!r} must be a non-negative integer number of periods.")
    lagged = panel[time].map(lambda t: s.get(t - lag, np.nan))
    out = panel[entity].map(h).astype(float) * lagged.astype(float)
    return out.rename(f"{_name(base)}_x_L{lag}{_name(series)}")


def bartik(
    shares: pd.DataFrame,
    growth: pd.DataFrame | None = None,
    *,
    levels: pd.DataFrame | None = None,
    leave_one_out: bool = False,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
) -> pd.Series:
    """Shift-share instrument :math:`\\sum_k s_{rk}g_{kt}`, long (entity, time) Series.

    Parameters
    ----------
    shares : DataFrame
        Base-period shares, regions × industries (rows need not sum to one).
    growth : DataFrame, optional
        National growth rates, periods × industries. Give this or ``levels``.
    levels : DataFrame, optional
        Region-industry levels by period, index (region, period), industry columns; national
        growth :math:`g_{kt}=X_{kt}/X_{k,t-1}-1` is computed from them, leaving region r out when
        ``leave_one_out=True``.
    entity, time : str
        Names of the returned index levels.

    Examples
    --------
    >>> shares = pd.DataFrame({"a": [0.5, 0.2], "b": [0.5, 0.8]}, index=["R1", "R2"])
    >>> growth = pd.DataFrame({"a": [0.1, 0.2], "b": [0.0, -0.1]}, index=[2020, 2021])
    >>> bartik(shares, growth).round(3).tolist()
    [0.05, 0.05, 0.02, -0.04]
    """
    if (growth is None) == (levels is None):
        raise PanelError("bartik needs exactly one of growth= (national rates) or levels=.")
    if growth is not None:
        if leave_one_out:
            raise PanelError("leave_one_out=True needs levels=, not national growth rates.")
        missing = sorted(set(shares.columns) - set(growth.columns))
        if missing:
            raise PanelError(f"growth lacks the industries {missing} of the shares.")
        values = shares.to_numpy(float) @ growth[shares.columns].to_numpy(float).T
        frame = pd.DataFrame(values, index=shares.index, columns=growth.index)
    else:
        missing = sorted(set(shares.columns) - set(levels.columns))
        if missing:
            raise PanelError(f"levels lack the industries {missing} of the shares.")
        lv = levels[shares.columns].astype(float)
        total = lv.groupby(level=1).sum().sort_index()
        periods = total.index
        frame = pd.DataFrame(index=shares.index, columns=periods[1:], dtype=float)
        for region in shares.index:
            national = total
            if leave_one_out:
                own = lv.xs(region, level=0).reindex(periods).fillna(0.0)
                national = total - own
            g = national / national.shift(1) - 1
            frame.loc[region] = g.iloc[1:].to_numpy() @ shares.loc[region].to_numpy(float)
    long = frame.stack()  # noqa: PD013 (wide to long Series)
    long.index = long.index.set_names([entity, time])
    return long.astype(float).rename("bartik")


def spatial_lag(
    panel: pd.DataFrame,
    column: str,
    w: W,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
) -> pd.Series:
    """:math:`\\sum_j w_{ij} z_{jt}` for each row (weights as given, e.g. row-standardised).

    Every period must hold every region of ``w`` (a balanced cross-section), so that no missing
    neighbour silently counts as zero.

    Examples
    --------
    >>> from clusterdx import weights
    >>> w = weights.from_matrix(np.array([[0, 1], [1, 0]]), ids=["A", "B"])
    >>> panel = pd.DataFrame({"region": ["A", "B", "A", "B"], "year": [1, 1, 2, 2],
    ...                       "z": [1.0, 3.0, 5.0, 7.0]})
    >>> spatial_lag(panel, "z", w).tolist()
    [3.0, 1.0, 7.0, 5.0]
    """
    if column not in panel.columns:
        raise PanelError(f"column {column!r} is not in the panel.")
    wide = panel.pivot(index=entity, columns=time, values=column)
    aligned = align(w, list(wide.index))
    if wide.isna().any().any():
        gaps = wide.isna().stack()  # noqa: PD013
        first = list(gaps[gaps].index[:5])
        raise PanelError(
            f"{column!r} is missing for (region, period) {first}; the spatial lag needs every "
            "region in every period."
        )
    lagged = pd.DataFrame(
        dense(aligned) @ wide.to_numpy(float), index=wide.index, columns=wide.columns
    )
    keys = pd.MultiIndex.from_arrays([panel[entity], panel[time]])
    values = lagged.stack().reindex(keys).to_numpy()  # noqa: PD013
    return pd.Series(values, index=panel.index, name=f"W_{column}")


def _by_key(panel: pd.DataFrame, source: str | pd.Series, key: str, role: str) -> pd.Series:
    """A Series keyed by ``key`` values from a column constant within ``key`` or a Series."""
    if isinstance(source, pd.Series):
        return source
    if source not in panel.columns:
        raise PanelError(f"{role} column {source!r} is not in the panel.")
    spread = panel.groupby(key)[source].nunique()
    if (spread > 1).any():
        raise PanelError(
            f"{role} column {source!r} varies within {key} {list(spread.index[spread > 1][:5])}; "
            f"it must be constant within each {key}."
        )
    return panel.groupby(key)[source].first()


def _name(source: str | pd.Series) -> str:
    return source if isinstance(source, str) else str(source.name or "z")
