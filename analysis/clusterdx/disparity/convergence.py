r"""σ-convergence and β-convergence (absolute, conditional, spatial) of a panel variable.

* σ-convergence: the dispersion :math:`CV_t = s_t/\bar y_t` falls over time; tested by the OLS
  trend :math:`CV_t = a + b\,t + e_t` (``b < 0`` significant), statsmodels OLS.
* β-convergence (Barro & Sala-i-Martin 1992, "Convergence", *Journal of Political Economy*
  100(2): 223–251): the growth :math:`g_{it} = \ln(y_{i,t+1}/y_{it})` is regressed on
  :math:`\ln y_{it}` (absolute), plus ``controls`` (conditional), with region and year fixed
  effects (panel form, Islam 1995, *QJE* 110(4)),

  .. math:: g_{it} = \alpha + \beta\ln y_{it} + X_{it}'\gamma + \mu_i + \eta_t + \varepsilon_{it},

  :math:`\beta < 0` means convergence at speed :math:`\lambda = -\ln(1+\beta)/T` (``T`` = 1 for
  annual growth) and half-life :math:`\ln 2/\lambda` years. The regression is
  :func:`clusterdx.panel.fit`.
* Spatial β-convergence: the same growth equation as a SAR or SDM spatial panel
  (:func:`clusterdx.spatial.fit`), speed and half-life from the direct coefficient of
  :math:`\ln y_{it}` (Rey & Montouri 1999, *Regional Studies* 33(2): 143–156).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from clusterdx.disparity import _checks
from clusterdx.disparity.theil import coefficient_of_variation
from clusterdx.errors import DataError

SpatialConvergenceModel = Literal["sar", "sdm"]


def sigma_convergence(frame: pd.DataFrame, var: str, time: str = "year") -> pd.DataFrame:
    """CV per period and its OLS time trend: columns ``cv``; ``attrs`` holds slope, se, t, p.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [1, 1, 2, 2, 3, 3], "y": [1.0, 3.0, 1.5, 2.5, 1.8, 2.2]})
    >>> out = sigma_convergence(t, "y")
    >>> out.attrs["slope"] < 0
    True
    """
    cv = coefficient_of_variation(frame, var, time).to_frame()
    periods = cv.index.to_numpy(dtype=float)
    if periods.size < 3:
        raise DataError(f"sigma_convergence: the trend test needs >= 3 periods, got {periods.size}")
    fit = OLS(cv["cv"].to_numpy(), add_constant(periods)).fit()
    cv.attrs = {
        "slope": float(fit.params[1]),
        "se": float(fit.bse[1]),
        "t": float(fit.tvalues[1]),
        "p": float(fit.pvalues[1]),
    }
    return cv


def growth_frame(
    frame: pd.DataFrame,
    var: str,
    entity: str = "region",
    time: str = "year",
    controls: Sequence[str] = (),
) -> pd.DataFrame:
    """Columns ``growth`` = ln(y_{t+1}/y_t) and ``ln_y`` = ln y_t, ``controls`` at t; last period dropped.

    Consecutive periods are required: a region with a gap fails (the growth would span two years).
    """
    _checks.columns(frame, [var, entity, time, *controls], "convergence")
    _checks.finite(frame, var, "convergence", positive=True)
    data = frame[[entity, time, var, *controls]].sort_values([entity, time]).reset_index(drop=True)
    step = data.groupby(entity)[time].diff().dropna()
    if (step != 1).any():
        raise DataError(
            f"convergence: column '{time}' has gaps within regions; growth needs consecutive periods"
        )
    nxt = data.groupby(entity)[var].shift(-1)
    out = data.assign(growth=np.log(nxt / data[var]), ln_y=np.log(data[var]))
    return out.dropna(subset=["growth"]).reset_index(drop=True)


@dataclass(frozen=True)
class BetaConvergence:
    """A β-convergence fit: the regression, β, speed λ = −ln(1+β)/T and half-life ln2/λ."""

    fit: Any
    beta: float
    speed: float
    half_life: float


def _speed(beta: float, span: float = 1.0) -> tuple[float, float]:
    if beta <= -1:
        return float("nan"), float("nan")
    speed = -np.log1p(beta) / span
    return float(speed), float(np.log(2) / speed) if speed > 0 else float("nan")


def beta_convergence(
    frame: pd.DataFrame,
    var: str,
    entity: str = "region",
    time: str = "year",
    controls: Sequence[str] = (),
    effects: Literal["individual", "time", "twoways"] = "twoways",
    cov: str = "cluster",
) -> BetaConvergence:
    """Absolute (no ``controls``) or conditional β-convergence with panel fixed effects (module formula).

    The fit is ``clusterdx.panel.fit(growth_frame(...), "growth ~ ln_y + controls", model="fe")``.
    """
    from clusterdx import panel

    data = growth_frame(frame, var, entity, time, controls)
    formula = "growth ~ " + " + ".join(["ln_y", *controls])
    res = panel.fit(data, formula, entity=entity, time=time, model="fe", effects=effects, cov=cov)
    beta = float(res.params["ln_y"])
    return BetaConvergence(res, beta, *_speed(beta))


def spatial_beta_convergence(
    frame: pd.DataFrame,
    var: str,
    w: Any,
    entity: str = "region",
    time: str = "year",
    controls: Sequence[str] = (),
    model: SpatialConvergenceModel = "sdm",
    effects: Literal["individual", "time", "twoways"] = "twoways",
) -> BetaConvergence:
    """Spatial β-convergence: SAR / SDM of the growth on ln y (``clusterdx.spatial.fit``).

    β is the coefficient of ``ln_y`` (for the SDM the own-region coefficient, the convention of
    the applied literature); speed and half-life as in the module formula.
    """
    from clusterdx import spatial

    if model not in ("sar", "sdm"):
        raise DataError(f"model={model!r} is not one of the allowed values ['sar', 'sdm']")
    data = growth_frame(frame, var, entity, time, controls)
    res = spatial.fit(
        data,
        y="growth",
        x=["ln_y", *controls],
        w=w,
        entity=entity,
        time=time,
        model=model,
        effects=effects,
    )
    beta = float(res.params["ln_y"])
    return BetaConvergence(res, beta, *_speed(beta))
