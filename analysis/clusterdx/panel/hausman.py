"""Hausman tests of fixed against random effects: classic and cluster-robust (Mundlak) forms.

linearmodels has no Hausman test; the classic statistic is a few lines on its covariances, and
the robust form is an auxiliary pooled OLS (statsmodels) with a cluster-robust Wald test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import EstimationError
from clusterdx.options.common import check_option
from clusterdx.panel.models import PanelResult

Method = Literal["classic", "robust"]
METHODS: tuple[str, ...] = ("classic", "robust")


@dataclass(frozen=True)
class HausmanResult:
    """Outcome of a Hausman test: chi-squared ``statistic`` with ``df`` degrees of freedom.

    ``contrast`` holds the compared coefficients (``fe``, ``re`` and their difference for
    ``"classic"``; the Mundlak coefficients and robust standard errors for ``"robust"``).

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import fit, hausman
    >>> panel = cdx.datasets.toy_panel(30, noise=1.0)
    >>> # entity effects correlated with demand: FE stays consistent, RE does not
    >>> panel["dt"] += panel.groupby("region")["demand"].transform("mean")
    >>> fe = fit(panel, "dt ~ demand + gov + tech", effects="individual", cov="unadjusted")
    >>> re = fit(panel, "dt ~ demand + gov + tech", model="re", cov="unadjusted")
    >>> test = hausman(fe, re)
    >>> test.df, round(test.statistic, 2), round(test.pvalue, 3)
    (3, 47.21, 0.0)
    >>> test.contrast.round(3)
               fe     re  difference
    demand  0.163  0.247      -0.084
    gov    -0.390 -0.396       0.006
    tech    0.666  0.637       0.028
    >>> test.summary()
    'Hausman test (classic): chi2(3) = 47.2052, p = 3.143e-10'
    """

    statistic: float
    df: int
    pvalue: float
    method: str
    contrast: pd.DataFrame

    def summary(self) -> str:
        """One line with the statistic, its degrees of freedom and p-value."""
        return (
            f"Hausman test ({self.method}): chi2({self.df}) = {self.statistic:.4f}, "
            f"p = {self.pvalue:.4g}"
        )


def hausman(fe: PanelResult, re: PanelResult, method: Method = "classic") -> HausmanResult:
    r"""Test H0: the individual effects are uncorrelated with the regressors (RE consistent).

    ``"classic"`` (Hausman 1978, *Econometrica* 46, 1251-1271):

    .. math:: H = (b_{FE}-b_{RE})'\,[V_{FE}-V_{RE}]^{-1}\,(b_{FE}-b_{RE}) \sim \chi^2_k

    over the k slope coefficients of both models, with the conventional (unadjusted)
    covariances whatever ``cov`` the fits used, as plm's ``phtest``; it assumes RE is efficient
    under H0 (homoskedastic, serially uncorrelated idiosyncratic errors).

    ``"robust"`` (Mundlak 1978, *Econometrica* 46, 69-85; Arellano 1993, *J. Econometrics* 59,
    87-97; Wooldridge 2010, *Econometric Analysis of Cross Section and Panel Data*, §10.7.3):
    pooled OLS of the RE quasi-demeaned equation augmented with the within-demeaned regressors,

    .. math:: y_{it}-\hat\theta_i\bar y_i = (1-\hat\theta_i)\mu + (x_{it}-\hat\theta_i\bar x_i)'\beta
              + (x_{it}-\bar x_i)'\gamma + e_{it},

    and a Wald test of :math:`\gamma = 0` with the CRV1 covariance clustered by entity. It is
    valid under arbitrary heteroskedasticity and serial correlation within entities.

    Parameters
    ----------
    fe, re : PanelResult
        ``model="fe"`` (individual effects) and ``model="re"`` fits of the same formula on the
        same rows.
    method : {"classic", "robust"}

    Returns
    -------
    HausmanResult

    Raises
    ------
    EstimationError
        The fits are not FE/RE of the same formula and rows, or no slope varies within entities.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import fit, hausman
    >>> panel = cdx.datasets.toy_panel(30, noise=1.0)
    >>> # entity effects correlated with demand: FE stays consistent, RE does not
    >>> panel["dt"] += panel.groupby("region")["demand"].transform("mean")
    >>> fe = fit(panel, "dt ~ demand + gov + tech", effects="individual", cov="unadjusted")
    >>> re = fit(panel, "dt ~ demand + gov + tech", model="re", cov="unadjusted")
    >>> print(hausman(fe, re).summary())
    Hausman test (classic): chi2(3) = 47.2052, p = 3.143e-10
    >>> print(hausman(fe, re, method="robust").summary())
    Hausman test (robust): chi2(3) = 21.6679, p = 7.648e-05
    """
    check_option("method", method, METHODS)
    _check_pair(fe, re)
    if method == "classic":
        return _classic(fe, re)
    return _robust(fe, re)


def _check_pair(fe: PanelResult, re: PanelResult) -> None:
    """Raise unless ``fe`` and ``re`` are FE/RE fits of one formula on the same rows."""
    if fe.model != "fe" or fe.effects != "individual" or re.model != "re":
        raise EstimationError(
            f"hausman needs a model='fe' (effects='individual') fit and a model='re' fit, got "
            f"model={fe.model!r} (effects={fe.effects!r}) and model={re.model!r}; pass them "
            "in that order."
        )
    slopes_re = [name for name in re.exog_names if name != "const"]
    if fe.depvar != re.depvar or sorted(fe.exog_names) != sorted(slopes_re):
        raise EstimationError(
            f"the fits differ: FE {fe.depvar} ~ {fe.exog_names}, RE {re.depvar} ~ {slopes_re}; "
            "fit both with the same formula."
        )
    if not fe.data.index.equals(re.data.index):
        raise EstimationError(
            f"the fits use different rows (FE {fe.nobs}, RE {re.nobs}); fit both on the same panel "
            "with the same missing-value handling."
        )


def _classic(fe: PanelResult, re: PanelResult) -> HausmanResult:
    """Hausman's contrast with conventional covariances."""
    names = list(fe.exog_names)
    fe_params = fe.params[names]
    fe_cov = pd.DataFrame(fe.raw.unadjusted_cov(), index=fe.exog_names, columns=fe.exog_names)
    re_raw = re.raw.model.fit(small_sample=True, cov_type="unadjusted", debiased=True)
    diff = (fe_params - re_raw.params[names]).to_numpy()
    v = (fe_cov.loc[names, names] - re_raw.cov.loc[names, names]).to_numpy()
    try:
        statistic = float(diff @ np.linalg.solve(v, diff))
    except np.linalg.LinAlgError as err:
        raise EstimationError(
            "V_FE − V_RE is singular; use method='robust', which does not need it."
        ) from err
    contrast = pd.DataFrame({"fe": fe_params, "re": re_raw.params[names], "difference": diff})
    return _result(statistic, len(names), "classic", contrast)


def _robust(fe: PanelResult, re: PanelResult) -> HausmanResult:
    """Mundlak/Arellano auxiliary regression with an entity-clustered Wald test."""
    data = re.data
    entity = data.index.get_level_values(0)
    slopes = list(fe.exog_names)
    theta = re.raw.theta["theta"].reindex(entity).to_numpy()
    means = data[[re.depvar, *slopes]].groupby(level=0).transform("mean")
    y = data[re.depvar].to_numpy() - theta * means[re.depvar].to_numpy()
    quasi = data[slopes].to_numpy() - theta[:, None] * means[slopes].to_numpy()
    within = data[slopes].to_numpy() - means[slopes].to_numpy()
    scale = np.maximum(np.abs(data[slopes].to_numpy()).max(axis=0), 1.0)
    varying = np.abs(within).max(axis=0) > 1e-10 * scale
    if not varying.any():
        raise EstimationError("no regressor varies within entities; there is nothing to test.")
    tested = [f"within_{name}" for name, v in zip(slopes, varying, strict=True) if v]
    design = pd.DataFrame(
        np.column_stack([1 - theta, quasi, within[:, varying]]),
        columns=["const", *slopes, *tested],
    )
    # imported here, and not statsmodels.api (which loads every model family): start-up
    from statsmodels.regression.linear_model import OLS

    groups = pd.factorize(entity)[0]
    ols = OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    gamma = ols.params[tested].to_numpy()
    v = ols.cov_params().loc[tested, tested].to_numpy()
    statistic = float(gamma @ np.linalg.solve(v, gamma))
    contrast = pd.DataFrame({"coef": ols.params[tested], "robust_se": ols.bse[tested]})
    return _result(statistic, len(tested), "robust", contrast)


def _result(statistic: float, df: int, method: str, contrast: pd.DataFrame) -> HausmanResult:
    """Wrap a chi-squared statistic."""
    return HausmanResult(
        statistic=statistic,
        df=df,
        pvalue=float(stats.chi2.sf(statistic, df)),
        method=method,
        contrast=contrast,
    )
