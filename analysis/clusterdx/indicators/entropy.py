"""Entropy weight method (熵值法) for composite indices.

Formula (e.g. Zhu, Zhang & Liu 2020; the time-augmented panel form of Yang & Sun 2015,
《统计与决策》): for observations i = 1..n and indicators j,

    x'_ij = (x_ij − min_j) / (max_j − min_j) + s        (positive indicator)
    x'_ij = (max_j − x_ij) / (max_j − min_j) + s        (negative indicator)
    p_ij  = x'_ij / Σ_i x'_ij
    e_j   = −(1 / ln n) Σ_i p_ij ln p_ij                 (with 0 · ln 0 = 0)
    w_j   = (1 − e_j) / Σ_k (1 − e_k)
    index_i = Σ_j w_j x'_ij

The shift s (``shift``, default 1e-4, any s ≥ 0) keeps ln p finite for the minimum observation and
lifts every standardised value by s; ``shift=0`` is the unshifted textbook form, where the minimum
contributes 0 · ln 0 = 0. The weights do not change when an indicator is multiplied by a positive
constant (min-max standardisation removes the unit).

The time-augmented variant of Yang & Sun (2015) is what ``standardise="pooled"`` (the default) does:
min and max and the entropies run over all region-years pooled, so the index is comparable across
years. ``standardise="by_year"`` repeats the computation within each year (a cross-section per year,
not comparable across years). A constant indicator carries no information: it gets weight 0 and a
warning, never NaN.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
import pandas as pd

from clusterdx.errors import DataError

Standardise = Literal["pooled", "by_year"]


def _p_log_p(p: pd.DataFrame) -> pd.DataFrame:
    """p·ln(p) elementwise with 0·ln(0) = 0: ``scipy.special.xlogy(p, p)`` with the same C library
    ``log`` (``math.log``; numpy's vectorised log may differ in the last bit), without importing
    ``scipy.special`` (a third of ``clusterdx validate``'s start-up)."""
    values = [
        x * math.log(x) if x > 0 else 0.0 if x == 0 else math.nan
        for x in p.to_numpy(dtype=float).ravel()
    ]
    return pd.DataFrame(np.reshape(values, p.shape), index=p.index, columns=p.columns)


def _checked(frame: pd.DataFrame, positive: list[str], negative: list[str]) -> pd.DataFrame:
    columns = [*positive, *negative]
    if not columns:
        raise DataError("entropy method needs at least one positive or negative indicator")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise DataError(
            f"indicator column(s) {absent} declared but absent; available: {list(frame.columns)}"
        )
    both = sorted(set(positive) & set(negative))
    if both:
        raise DataError(f"indicator(s) {both} declared both positive and negative")
    data = frame[columns].astype("float64")
    bad = data.columns[~np.isfinite(data).all()].tolist()
    if bad:
        rows = data.index[~np.isfinite(data[bad[0]])][:5].tolist()
        raise DataError(
            f"indicator column '{bad[0]}' has missing or infinite values (rows {rows}); "
            "fill or drop them first"
        )
    return data


def standardised(
    frame: pd.DataFrame, positive: list[str], negative: list[str] = (), shift: float = 1e-4
) -> pd.DataFrame:
    """Min-max standardise positive and negative indicators into [s, 1 + s] (see module formula).

    A constant indicator becomes ``s`` everywhere (it carries no information).

    Returns
    -------
    pd.DataFrame
        The standardised columns, positive then negative, on the index of ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({"gdp": [1.0, 2.0, 3.0], "pollution": [10.0, 20.0, 40.0]})
    >>> x = standardised(frame, positive=["gdp"], negative=["pollution"], shift=0)
    >>> x.round(4).to_dict("list")
    {'gdp': [0.0, 0.5, 1.0], 'pollution': [1.0, 0.6667, 0.0]}
    >>> standardised(frame, positive=["gdp"]).round(4)["gdp"].tolist()   # default shift s = 1e-4
    [0.0001, 0.5001, 1.0001]
    """
    if not np.isfinite(shift) or shift < 0:
        raise DataError(f"shift must be a finite number >= 0, got {shift!r}")
    data = _checked(frame, list(positive), list(negative))
    low, high = data.min(), data.max()
    spread = (high - low).replace(0.0, np.inf)
    out = (data - low) / spread
    neg = list(negative)
    out[neg] = (high[neg] - data[neg]) / spread[neg]
    constant = spread.index[np.isinf(spread)].tolist()
    out[constant] = 0.0
    return out + shift


def entropy_weights(
    frame: pd.DataFrame, positive: list[str], negative: list[str] = (), shift: float = 1e-4
) -> pd.Series:
    """Entropy weights of the indicators (non-negative, summing to 1).

    Parameters
    ----------
    frame
        One row per observation (pooled region-years, or one year's regions).
    positive, negative
        Columns where larger values mean more (less) of the latent concept.
    shift
        The constant s >= 0 added after min-max standardisation (see module docstring).

    Returns
    -------
    pd.Series
        Weight per indicator, indexed by column name, in the order positive then negative.

    Warns
    -----
    UserWarning
        For a constant indicator, which gets weight 0.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    >>> entropy_weights(frame, positive=["a", "b"]).round(3).tolist()
    [0.296, 0.704]
    """
    x = standardised(frame, positive, negative, shift)
    n = len(x)
    if n < 2:
        raise DataError("entropy weights need at least two observations")
    p = x / x.sum()
    entropy = -_p_log_p(p).sum() / np.log(n)
    divergence = (1.0 - entropy).clip(lower=0.0)
    constant = x.columns[(x.max() - x.min()) == 0].tolist()
    if constant:
        warnings.warn(
            f"constant indicator(s) {constant} carry no information: weight 0", stacklevel=2
        )
        divergence[constant] = 0.0
    total = divergence.sum()
    if total == 0:
        raise DataError("every indicator is constant: the entropy weights are undefined")
    return divergence / total


def entropy_index(
    frame: pd.DataFrame,
    positive: list[str],
    negative: list[str] = (),
    shift: float = 1e-4,
    standardise: Standardise = "pooled",
    time: str = "year",
) -> pd.Series:
    """Composite index Σ_j w_j x'_ij with entropy weights (pooled or by year; see module docstring).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    >>> entropy_index(frame, positive=["a", "b"]).round(4).tolist()
    [0.0001, 0.1482, 1.0001]
    """
    if standardise not in ("pooled", "by_year"):
        raise DataError(
            f"standardise must be one of ['pooled', 'by_year'] (pooled = Yang & Sun 2015 "
            f"time-augmented), got {standardise!r}"
        )
    if standardise == "by_year":
        if time not in frame.columns:
            raise DataError(f"standardise='by_year' needs the time column '{time}'")
        if frame[time].isna().any():
            rows = frame.index[frame[time].isna()][:5].tolist()
            raise DataError(
                f"standardise='by_year': time column '{time}' is missing in rows {rows}; "
                "fill or drop them first"
            )
        parts = [
            entropy_index(g, positive, negative, shift) for _, g in frame.groupby(time, sort=True)
        ]
        return pd.concat(parts).reindex(frame.index)
    weights = entropy_weights(frame, positive, negative, shift)
    x = standardised(frame, positive, negative, shift)
    return (x[weights.index] * weights).sum(axis=1)
