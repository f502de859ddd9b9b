r"""Obstacle degree model (障碍度模型): which indicators hold a composite index back.

For standardised indicators :math:`x'_{ij} \in [0, 1]` (region-year ``i``, indicator ``j``) with
weights :math:`w_j` (factor contribution, e.g. entropy weights, :math:`\sum_j w_j = 1`), the
deviation is :math:`I_{ij} = 1 - x'_{ij}` and the obstacle degree

.. math:: O_{ij} = \frac{w_j I_{ij}}{\sum_j w_j I_{ij}} \times 100\%,

so each row sums to 100. This is the factor-diagnosis form used throughout the Chinese literature
on entropy-weighted composite indices (因子贡献度 × 指标偏离度); we know of no single agreed
original source and cite none. A row with no deviation at all (every indicator at its best) has no
obstacle and gets 0 everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from clusterdx.disparity import _checks
from clusterdx.errors import DataError


def obstacle_degree(
    frame: pd.DataFrame, indicators: Sequence[str], weights: Mapping[str, float] | pd.Series
) -> pd.DataFrame:
    """Obstacle degree (percent) of each indicator per row (module formula).

    ``frame[indicators]`` must already be standardised to [0, 1] (1 = best), e.g. with
    :func:`clusterdx.indicators.standardised`.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [0.0, 1.0], "b": [0.5, 1.0]})
    >>> obstacle_degree(t, ["a", "b"], {"a": 0.5, "b": 0.5}).round(2).to_dict("records")
    [{'a': 66.67, 'b': 33.33}, {'a': 0.0, 'b': 0.0}]
    """
    indicators = list(indicators)
    _checks.columns(frame, indicators, "obstacle_degree")
    w = pd.Series(dict(weights), dtype=float)
    if sorted(w.index) != sorted(indicators):
        raise DataError(
            f"obstacle_degree: weights must name exactly {indicators}; got {list(w.index)}"
        )
    x = frame[indicators].astype(float)
    if (~np.isfinite(x.to_numpy()) | (x.to_numpy() < 0) | (x.to_numpy() > 1)).any():
        raise DataError(
            "obstacle_degree: indicators must be standardised to [0, 1] without missing values"
        )
    raw = (1.0 - x) * w[indicators].to_numpy()
    total = raw.sum(axis=1)
    return 100 * raw.div(total.where(total > 0, np.inf), axis=0)


def top_obstacles(degrees: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The ``top`` largest obstacles per row: columns ``factor_1, degree_1, ...``.

    Examples
    --------
    >>> d = pd.DataFrame({"a": [60.0], "b": [30.0], "c": [10.0]})
    >>> top_obstacles(d, 2).to_dict("records")
    [{'factor_1': 'a', 'degree_1': 60.0, 'factor_2': 'b', 'degree_2': 30.0}]
    """
    top = min(top, degrees.shape[1])
    values = degrees.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    out = {}
    for r in range(top):
        out[f"factor_{r + 1}"] = degrees.columns.to_numpy()[order[:, r]]
        out[f"degree_{r + 1}"] = values[np.arange(len(values)), order[:, r]]
    return pd.DataFrame(out, index=degrees.index)
