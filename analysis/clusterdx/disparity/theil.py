r"""Theil T and L indices with their exact within/between group decomposition; coefficient of variation.

For values :math:`y_i > 0` (mean :math:`\mu`), groups ``g`` with :math:`n_g` members, mean
:math:`\mu_g` and income share :math:`S_g = n_g\mu_g/(n\mu)`, population share :math:`P_g = n_g/n`:

.. math::

    T = \frac1n\sum_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}
      = \underbrace{\sum_g S_g T_g}_{T_w} + \underbrace{\sum_g S_g\ln\frac{\mu_g}{\mu}}_{T_b},
    \qquad
    L = \frac1n\sum_i \ln\frac{\mu}{y_i}
      = \underbrace{\sum_g P_g L_g}_{L_w} + \underbrace{\sum_g P_g\ln\frac{\mu}{\mu_g}}_{L_b}

(Theil 1967, *Economics and Information Theory*, ch. 4; Shorrocks 1980, *Econometrica* 48:
613–625). Both parts are computed from their own formula (never one as the total minus the other)
and a test checks that they add up to the total.
The coefficient of variation is :math:`CV = s/\mu` with the sample standard deviation
(``ddof=1``) by default. Our own code: a few lines of NumPy (no PySAL function returns the L
index or grouped decompositions by period).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from clusterdx.disparity import _checks
from clusterdx.errors import StudySpecError

TheilIndex = Literal["T", "L"]
THEIL_INDICES: tuple[str, ...] = ("T", "L")


def _theil(y: np.ndarray, index: str) -> float:
    r = y / y.mean()
    return float(np.mean(r * np.log(r))) if index == "T" else float(np.mean(-np.log(r)))


def theil(
    frame: pd.DataFrame,
    var: str,
    group: str | None = None,
    time: str | None = "year",
    index: TheilIndex = "T",
) -> pd.DataFrame:
    """Theil T (or L) per period with within and between parts (module formulas).

    Returns one row per period: ``total``, ``within``, ``between``, ``share_within``,
    ``share_between`` (parts / total); without ``group`` only ``total``.

    Examples
    --------
    >>> t = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "g": ["a", "a", "b", "b"]})
    >>> out = theil(t, "y", "g", time=None)
    >>> bool(np.isclose(out.within + out.between, out.total).all())
    True
    """
    if index not in THEIL_INDICES:
        raise StudySpecError(
            f"index={index!r} is not one of the allowed values {list(THEIL_INDICES)}"
        )
    needed = [var] + [c for c in (group, time) if c]
    _checks.columns(frame, needed, "theil")
    y = _checks.finite(frame, var, "theil", positive=True)
    periods = frame[time].to_numpy() if time else np.full(y.size, "all", dtype=object)
    groups = frame[group].to_numpy() if group else None
    rows = []
    for period in sorted(set(periods.tolist())):
        mask = periods == period
        yt = y[mask]
        row = {"period": period, "total": _theil(yt, index)}
        if groups is not None:
            gt = groups[mask]
            mu, within, between = yt.mean(), 0.0, 0.0
            for name in sorted(set(gt.tolist()), key=str):
                yg = yt[gt == name]
                if index == "T":
                    weight = yg.sum() / yt.sum()
                    within += weight * _theil(yg, "T")
                    between += weight * np.log(yg.mean() / mu)
                else:
                    weight = yg.size / yt.size
                    within += weight * _theil(yg, "L")
                    between += weight * np.log(mu / yg.mean())
            row |= {"within": within, "between": between}
            row |= {"share_within": within / row["total"], "share_between": between / row["total"]}
        rows.append(row)
    name = time or "period"
    return pd.DataFrame(rows).rename(columns={"period": name}).set_index(name)


def coefficient_of_variation(
    frame: pd.DataFrame, var: str, time: str | None = "year", ddof: int = 1
) -> pd.Series:
    """CV = s / mean of ``var`` per period (σ-convergence's measure), ``ddof=1`` by default.

    Examples
    --------
    >>> t = pd.DataFrame({"y": [1.0, 3.0], "year": [2020, 2020]})
    >>> round(float(coefficient_of_variation(t, "y").iloc[0]), 6)  # sd = sqrt(2), mean 2
    0.707107
    """
    _checks.columns(frame, [var] + ([time] if time else []), "coefficient_of_variation")
    y = _checks.finite(frame, var, "coefficient_of_variation")
    key = frame[time].to_numpy() if time else np.full(y.size, "all", dtype=object)
    data = pd.DataFrame({"key": key, "y": y})
    out = data.groupby("key")["y"].agg(lambda v: np.std(v, ddof=ddof) / np.mean(v))
    out.index.name = time or "period"
    return out.rename("cv")
