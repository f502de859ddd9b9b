r"""Two-period panel DID with covariates: outcome regression, IPW and doubly robust, with influence functions.

The 2×2 building block of :func:`clusterdx.panel.callaway_santanna` (Callaway & Sant'Anna 2021,
§4.1, eq. 2.6-2.7). For units :math:`i=1..n` of one cohort (:math:`D_i=1`) and its comparison
group (:math:`D_i=0`), outcome change :math:`\Delta Y_i=Y_{it}-Y_{ib}` and covariates
:math:`X_i` (with an intercept), Sant'Anna & Zhao (2020, *Journal of Econometrics* 219, 101-122):

* ``"reg"`` (outcome regression, Heckman, Ichimura & Todd 1997; S&Z eq. 2.2):
  :math:`\hat\tau=\bar{\Delta Y}_{D=1}-\frac{1}{n_1}\sum_{D_i=1}X_i'\hat\beta`, with
  :math:`\hat\beta` the OLS of :math:`\Delta Y` on :math:`X` among the comparison units;
* ``"ipw"`` (normalised inverse probability weighting, Abadie 2005; S&Z eq. 2.3 with Hájek
  weights): :math:`\hat\tau=\frac{\sum D_i\Delta Y_i}{\sum D_i}-\frac{\sum w_i\Delta Y_i}{\sum w_i}`,
  :math:`w_i=\frac{\hat p(X_i)(1-D_i)}{1-\hat p(X_i)}`, :math:`\hat p` a logit;
* ``"dr"`` (doubly robust, S&Z eq. 3.1, the "traditional" DR of R ``DRDID::drdid_panel``):
  :math:`\hat\tau=\frac{\sum D_i(\Delta Y_i-X_i'\hat\beta)}{\sum D_i}-\frac{\sum w_i(\Delta Y_i-X_i'\hat\beta)}{\sum w_i}`,
  consistent when either the propensity score or the outcome regression is correctly specified.

The influence functions (S&Z §3 and the appendix; R ``DRDID`` 1.0 ``reg_did_panel``,
``std_ipw_did_panel``, ``drdid_panel``) include the estimation effect of :math:`\hat\beta`
(OLS linear representation :math:`(1-D_i)(\Delta Y_i-X_i'\hat\beta)X_i'(\frac1n\sum(1-D)XX')^{-1}`)
and of the logit (score :math:`(D_i-\hat p_i)X_i` times the inverse information
:math:`(\frac1n\sum\hat p(1-\hat p)XX')^{-1}`), so that :math:`\hat\tau-\tau\approx\frac1n\sum\psi_i`.
As ``DRDID``, propensity scores are capped at :math:`1-10^{-6}` and comparison units with
:math:`\hat p\ge 0.995` get weight zero (trimmed; counted and reported by the caller).

Why our own: ``DRDID``/``did`` are R packages; the Python ports (``csdid``, ``drdid``,
``differences``) pull in plotting and packaging dependencies at run time. The logit is a plain
Newton-Raphson with the information matrix evaluated at the converged estimate.
"""

from __future__ import annotations

import numpy as np

from clusterdx.errors import EstimationError

TRIM_LEVEL = 0.995
OVERLAP_LEVEL = 0.999


def att_2x2(
    delta_y: np.ndarray, treated: np.ndarray, x: np.ndarray, method: str
) -> tuple[float, np.ndarray, int]:
    """ATT of one 2×2 comparison, its influence function and the number of trimmed controls.

    Parameters
    ----------
    delta_y : ndarray
        Outcome changes of the units of the comparison (cohort and comparison group).
    treated : ndarray of bool
        Cohort membership.
    x : ndarray
        Covariates, first column the intercept.
    method : {"dr", "ipw", "reg"}

    Returns
    -------
    att : float
    psi : ndarray
        Influence function, :math:`\\hat\\tau-\\tau\\approx` ``psi.mean()``.
    trimmed : int
        Comparison units with propensity score at or above 0.995 (zero weight).

    Examples
    --------
    With an intercept only, all three are the difference of mean changes:

    >>> import numpy as np
    >>> dy = np.array([1.0, 2.0, 3.0, 0.5, 1.5])
    >>> d = np.array([True, True, True, False, False])
    >>> [round(att_2x2(dy, d, np.ones((5, 1)), m)[0], 12) for m in ("dr", "ipw", "reg")]
    [1.0, 1.0, 1.0]
    """
    d = treated.astype(float)
    control = 1.0 - d
    if method in ("reg", "dr"):
        beta, ols_if = _ols_controls(delta_y, control, x)
        resid = delta_y - x @ beta
    if method == "reg":
        eta_treat = (d * delta_y).mean() / d.mean()
        fitted = x @ beta
        eta_cont = (d * fitted).mean() / d.mean()
        inf_treat = (d * delta_y - d * eta_treat) / d.mean()
        m1 = (d[:, None] * x).mean(axis=0)
        inf_cont = (d * fitted - d * eta_cont + ols_if @ m1) / d.mean()
        return float(eta_treat - eta_cont), inf_treat - inf_cont, 0
    ps, ps_if = _logit(treated, x)
    ps = np.minimum(ps, 1 - 1e-6)
    keep = np.where(treated, True, ps < TRIM_LEVEL)
    trimmed = int((~keep).sum())
    w_treat = keep * d
    w_cont = keep * ps * control / (1 - ps)
    target = resid if method == "dr" else delta_y
    eta_treat = (w_treat * target).mean() / w_treat.mean()
    eta_cont = (w_cont * target).mean() / w_cont.mean()
    inf_treat = w_treat * target - w_treat * eta_treat
    m2 = (w_cont[:, None] * (target - eta_cont)[:, None] * x).mean(axis=0)
    inf_cont = w_cont * target - w_cont * eta_cont + ps_if @ m2
    if method == "dr":
        inf_treat = inf_treat - ols_if @ (w_treat[:, None] * x).mean(axis=0)
        inf_cont = inf_cont - ols_if @ (w_cont[:, None] * x).mean(axis=0)
    psi = inf_treat / w_treat.mean() - inf_cont / w_cont.mean()
    return float(eta_treat - eta_cont), psi, trimmed


def _ols_controls(
    delta_y: np.ndarray, control: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """OLS of the outcome change on X among the comparison units and its linear representation."""
    n = len(delta_y)
    xtx = (control[:, None] * x).T @ x / n
    if np.linalg.cond(xtx, 1) > 1 / np.finfo(float).eps:
        raise EstimationError("the covariates of the comparison units are collinear (or constant)")
    beta = np.linalg.solve(xtx, (control[:, None] * x).T @ delta_y / n)
    resid = delta_y - x @ beta
    lin_rep = (control * resid)[:, None] * x @ np.linalg.inv(xtx)
    return beta, lin_rep


def _logit(treated: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit of cohort membership on X by Newton-Raphson: fitted scores and the score's linear representation."""
    n, d = len(treated), treated.astype(float)
    share = d.mean()
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(share / (1 - share))
    separated = EstimationError(
        f"the propensity score reaches {OVERLAP_LEVEL} (the covariates nearly separate the "
        "cohort from its comparison group: no overlap)"
    )
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(100):
            p = 1 / (1 + np.exp(-(x @ beta)))
            info = ((p * (1 - p))[:, None] * x).T @ x
            if np.linalg.cond(info, 1) > 1 / np.finfo(float).eps:
                raise separated
            step = np.linalg.solve(info, x.T @ (d - p))
            beta = beta + step
            if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(beta))):
                break
        else:
            raise separated
        p = 1 / (1 + np.exp(-(x @ beta)))
    if p.max() >= OVERLAP_LEVEL:
        raise separated
    hessian_inv = np.linalg.inv(((p * (1 - p))[:, None] * x).T @ x / n)
    return p, ((d - p)[:, None] * x) @ hessian_inv
