r"""Multiplier bootstrap of influence functions: bootstrap standard errors and sup-t uniform bands.

For estimators :math:`\hat\theta_j` with influence functions :math:`\psi_{ij}` (one row per
entity, so the bootstrap is clustered by entity), draw i.i.d. multipliers :math:`V_{ib}` with
mean 0 and variance 1 and form :math:`\hat R_{bj}=\frac{1}{\sqrt n}\sum_i V_{ib}\psi_{ij}`
(Callaway & Sant'Anna 2021, §4.2, Algorithm 1; R ``did::mboot``). As R ``did``:

* the bootstrap standard error is robust to outlying draws, the interquartile range rescaled,
  :math:`\hat\Sigma_j^{1/2}=(q_{.75}-q_{.25})/(z_{.75}-z_{.25})` of :math:`\hat R_{\cdot j}`,
  and :math:`se_j=\hat\Sigma_j^{1/2}/\sqrt n`;
* the simultaneous (uniform) band is :math:`\hat\theta_j\pm \hat c_{1-\alpha}\,se_j`, with
  :math:`\hat c_{1-\alpha}` the :math:`1-\alpha` quantile over draws of the sup-t statistic
  :math:`\max_j|\hat R_{bj}|/\hat\Sigma_j^{1/2}` (quantiles of R's type 1, the inverse empirical
  distribution function). Columns with (numerically) zero variance, such as the reference
  period under a universal base, are left out of the maximum and get no band.

Weights: Mammen's (1993) two-point distribution (R ``did``'s choice),
:math:`V=(1-\sqrt5)/2` with probability :math:`(\sqrt5+1)/(2\sqrt5)` and :math:`(1+\sqrt5)/2`
otherwise, or Rademacher :math:`\pm1` with probability 1/2.

Why our own: a few lines of NumPy over the influence functions the estimator already has;
``wildboottest`` bootstraps regression scores, not arbitrary influence functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from clusterdx.options.common import check_option
from clusterdx.options.panel import MULTIPLIER_WEIGHTS

_SQRT5 = np.sqrt(5.0)
_MAMMEN = np.array([(1 - _SQRT5) / 2, (1 + _SQRT5) / 2])
_MAMMEN_P = (_SQRT5 + 1) / (2 * _SQRT5)
_BLOCK = 2**22  # multipliers drawn at a time (memory bound)


@dataclass(frozen=True)
class Bands:
    """Bootstrap standard errors and the sup-t critical value of one set of estimates."""

    se: np.ndarray
    critical: float


def multipliers(n: int, draws: int, weights: str, rng: np.random.Generator) -> np.ndarray:
    """A ``draws × n`` matrix of i.i.d. multipliers with mean 0 and variance 1.

    >>> v = multipliers(200_000, 1, "mammen", np.random.default_rng(0))
    >>> bool(abs(v.mean()) < 0.01 and abs(v.var() - 1) < 0.01)
    True
    """
    check_option("weights", weights, MULTIPLIER_WEIGHTS)
    if weights == "mammen":
        return np.where(rng.random((draws, n)) < _MAMMEN_P, _MAMMEN[0], _MAMMEN[1])
    return np.where(rng.random((draws, n)) < 0.5, -1.0, 1.0)


def bootstrap_draws(influence: np.ndarray, draws: int, weights: str, seed: int) -> np.ndarray:
    """:math:`\\hat R` (``draws × k``) for the influence functions ``influence`` (``n × k``).

    The multipliers of a draw are shared by all columns (which makes the band simultaneous), and
    the generator is seeded afresh by ``seed``, so every table bootstrapped with one seed uses
    the same multipliers and the same inputs give the same draws.
    """
    n = len(influence)
    rng = np.random.default_rng(seed)
    step = max(1, _BLOCK // max(n, 1))
    out = np.empty((draws, influence.shape[1]))
    for start in range(0, draws, step):
        stop = min(draws, start + step)
        out[start:stop] = multipliers(n, stop - start, weights, rng) @ influence / np.sqrt(n)
    return out


def bands(boot: np.ndarray, n: int, alpha: float) -> Bands:
    """Bootstrap standard errors and the sup-t critical value from the draws :math:`\\hat R`.

    >>> rng = np.random.default_rng(1)
    >>> one = bands(rng.normal(size=(20_000, 1)), n=1, alpha=0.05)
    >>> round(float(one.se[0]), 1), round(one.critical, 1)
    (1.0, 2.0)
    """
    q25, q75 = np.quantile(boot, [0.25, 0.75], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = sigma > np.sqrt(np.finfo(float).eps) * 10
    se = np.where(ok, sigma / np.sqrt(n), np.nan)
    if not ok.any():
        return Bands(se=se, critical=float("nan"))
    sup = np.max(np.abs(boot[:, ok] / sigma[ok]), axis=1)
    crit = float(np.quantile(sup, 1 - alpha, method="inverted_cdf"))
    return Bands(se=se, critical=crit)
