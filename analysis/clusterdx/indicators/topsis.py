"""Entropy-weighted TOPSIS: closeness of each observation to the ideal solution.

TOPSIS (Hwang & Yoon 1981, *Multiple Attribute Decision Making*, Springer, ch. 3) with the entropy
weights of `clusterdx.indicators.entropy` (the 熵权-TOPSIS of the Chinese literature, e.g. 魏敏 &
李书昊 2018, 《数量经济技术经济研究》 35(11)). For observations i and indicators j:

    normalise = "vector":  r_ij = x_ij / √(Σ_i x_ij²)              (needs x ≥ 0)
    normalise = "minmax":  r_ij = min-max standardised value, negative indicators reversed
    v_ij  = w_j r_ij
    V⁺_j  = max_i v_ij for a positive indicator, min_i v_ij for a negative one (ideal);
    V⁻_j  = the other extreme (anti-ideal); under "minmax" every indicator is already positive
    D⁺_i  = √(Σ_j (v_ij − V⁺_j)²),   D⁻_i = √(Σ_j (v_ij − V⁻_j)²)
    C_i   = D⁻_i / (D⁺_i + D⁻_i)  ∈ [0, 1]

Weights default to the entropy weights (computed on the same rows, shift s = 0 so that the weights
are those of the unshifted min-max data). Pooling region-years in ``frame`` gives the
time-augmented form, comparable across years.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from clusterdx.errors import DataError
from clusterdx.indicators.entropy import _checked, entropy_weights, standardised

Normalise = Literal["vector", "minmax"]


def _weights(
    given: pd.Series | dict | None, frame: pd.DataFrame, positive: list[str], negative: list[str]
) -> pd.Series:
    columns = [*positive, *negative]
    if given is None:
        return entropy_weights(frame, positive, negative, shift=0.0)
    weights = pd.Series(given, dtype="float64")
    absent = [c for c in columns if c not in weights.index]
    extra = [c for c in weights.index if c not in columns]
    if absent or extra:
        raise DataError(
            f"topsis: weights must name exactly the indicators; missing {absent}, unknown {extra}"
        )
    weights = weights[columns]
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise DataError(f"topsis: weights must be finite and >= 0, got {weights.to_dict()}")
    if not np.isclose(weights.sum(), 1.0):
        raise DataError(f"topsis: weights must sum to 1, they sum to {weights.sum():.6g}")
    return weights


def topsis(
    frame: pd.DataFrame,
    positive: list[str],
    negative: list[str] = (),
    weights: pd.Series | dict | None = None,
    normalise: Normalise = "vector",
) -> pd.DataFrame:
    """TOPSIS distances and closeness of each row of ``frame`` (see module formula).

    Parameters
    ----------
    frame
        One row per observation (pooled region-years or one year's regions).
    positive, negative
        Indicator columns where more is better (worse).
    weights
        Weight per indicator (mapping or Series, non-negative, summing to 1); ``None`` uses the
        entropy weights.
    normalise
        ``"vector"`` (Hwang & Yoon's r = x / ‖x‖, needs non-negative data) or ``"minmax"``.

    Returns
    -------
    pd.DataFrame
        Columns ``d_plus``, ``d_minus``, ``closeness``, indexed like ``frame``.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [3.0, 4.0], "b": [4.0, 3.0]})
    >>> topsis(t, ["a"], ["b"], weights={"a": 0.5, "b": 0.5})["closeness"].round(4).tolist()
    [0.0, 1.0]
    """
    if normalise not in ("vector", "minmax"):
        raise DataError(f"topsis: normalise must be one of ['vector', 'minmax'], got {normalise!r}")
    positive, negative = list(positive), list(negative)
    data = _checked(frame, positive, negative)
    if len(data) < 2:
        raise DataError("topsis needs at least two observations")
    w = _weights(weights, frame, positive, negative)
    if normalise == "vector":
        below = data.columns[(data < 0).any()].tolist()
        if below:
            raise DataError(
                f"topsis: normalise='vector' needs non-negative values; column '{below[0]}' has "
                "negative ones (use normalise='minmax')"
            )
        norms = np.sqrt((data**2).sum()).replace(0.0, np.inf)
        v = data / norms * w
        ideal = v.max()
        anti = v.min()
        ideal[negative], anti[negative] = v[negative].min(), v[negative].max()
    else:
        v = standardised(frame, positive, negative, shift=0.0) * w
        ideal, anti = v.max(), v.min()
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = (d_plus + d_minus).replace(0.0, np.nan)
    if total.isna().any():
        raise DataError("topsis: every weighted indicator is constant; closeness is undefined")
    return pd.DataFrame({"d_plus": d_plus, "d_minus": d_minus, "closeness": d_minus / total})
