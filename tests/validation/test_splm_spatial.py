"""clusterdx.spatial against R splm 1.6-5 on Munnell's Produc data with splm's usaww matrix.

Reference values: ``tests/validation/reference/r_reference.json`` (R 4.2.2, splm 1.6-5, plm 2.6-2), formula
``log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp``, ``listw = mat2listw(usaww, style="W")``.
splm applies no Lee-Yu correction, so every fit here uses ``bias_correction=False``.

Log-likelihood conventions: clusterdx reports the full Gaussian log-likelihood of the transformed
model, −NT/2·ln(2πσ²) + T·ln|I − ρW| − e'e/(2σ²). splm's lag (``sar_fe_ind``, ``sdm_fe_ind``) and
random-effects (``sar_re``) routines report the same quantity; its error routine (``sem_fe_ind``)
reports T·ln|I − λW| − NT/2·ln(e'e), which differs by the constant −NT/2·(ln(2π) + 1 − ln NT).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import EstimationError
from clusterdx.spatial import fit

libpysal = pytest.importorskip("libpysal", reason="libpysal builds the weights object")

X = ["lpcap", "lpc", "lemp", "unemp"]
R_NAMES = {"lpcap": "log(pcap)", "lpc": "log(pc)", "lemp": "log(emp)", "unemp": "unemp"}
RTOL = 1e-4


@pytest.fixture(scope="module")
def w_usa(usaww: pd.DataFrame):
    return libpysal.weights.full2W(usaww.to_numpy(), ids=list(usaww.index))


def _fit(produc, w, model, effects, **options):
    """The splm reference specification; splm applies no bias correction."""
    options = {"bias_correction": False, **options}
    return fit(
        produc,
        y="lgsp",
        x=X,
        w=w,
        entity="state",
        time="year",
        model=model,
        effects=effects,
        **options,
    )


def _compare_coefficients(res, ref, spatial_name, spatial_ref, names=R_NAMES):
    ours = [res.params[v] for v in X] + [res.params[spatial_name]]
    theirs = [ref["coef"][names[v]] for v in X] + [ref["coef"][spatial_ref]]
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    ours_se = [res.bse[v] for v in X] + [res.bse[spatial_name]]
    theirs_se = [ref["se"][names[v]] for v in X] + [ref["se"][spatial_ref]]
    np.testing.assert_allclose(ours_se, theirs_se, rtol=RTOL)
    np.testing.assert_allclose(res.sigma2, ref["sigma2"], rtol=RTOL)


def test_sar_individual_fixed_effects(produc, w_usa, r_reference):
    # splm: spml(model="within", effect="individual", lag=TRUE, spatial.error="none")
    ref = r_reference["sar_fe_ind"]
    res = _fit(produc, w_usa, "sar", "individual")
    _compare_coefficients(res, ref, "rho", "lambda")
    np.testing.assert_allclose(res.llf, ref["logLik"], rtol=1e-8)


def test_sem_individual_fixed_effects(produc, w_usa, r_reference):
    # splm: spml(model="within", effect="individual", lag=FALSE, spatial.error="b")
    ref = r_reference["sem_fe_ind"]
    res = _fit(produc, w_usa, "sem", "individual")
    _compare_coefficients(res, ref, "lambda", "rho")
    nt = res.nobs
    splm_constant = -nt / 2 * (np.log(2 * np.pi) + 1 - np.log(nt))
    np.testing.assert_allclose(res.llf - splm_constant, ref["logLik"], rtol=1e-8)


def test_sdm_individual_fixed_effects(produc, w_usa, r_reference):
    # splm: SAR within/individual with regressors X and WX (W applied to each year's X)
    ref = r_reference["sdm_fe_ind"]
    res = _fit(produc, w_usa, "sdm", "individual")
    names = {v: v for v in X}
    _compare_coefficients(res, ref, "rho", "lambda", names=names)
    wx = [f"W_{v}" for v in X]
    np.testing.assert_allclose(res.params[wx], [ref["coef"][v] for v in wx], rtol=RTOL)
    np.testing.assert_allclose(res.bse[wx], [ref["se"][v] for v in wx], rtol=RTOL)
    np.testing.assert_allclose(res.llf, ref["logLik"], rtol=1e-8)


def test_sar_twoways_reproduces_splm_convention(produc, w_usa, r_reference):
    # splm: spml(model="within", effect="twoways", lag=TRUE, spatial.error="none").
    # splm lags the two-way demeaned y, W(J_N ỹ), where exact ML with time dummies uses the demeaned
    # lag J_N(W y) (Lee & Yu 2010); they differ because usaww's columns do not sum to one.
    # convention="splm" reproduces splm's estimator.
    ref = r_reference["sar_fe_tw"]
    res = _fit(produc, w_usa, "sar", "twoways", convention="splm")
    _compare_coefficients(res, ref, "rho", "lambda")
    np.testing.assert_allclose(res.llf, ref["logLik"], rtol=1e-8)
    assert res.fixed_effects == {"entity": True, "time": True}


def test_splm_convention_equals_period_demeaned_individual_effects(produc, w_usa):
    # The same estimator written out: period-demean y and X, then fit with individual effects.
    demeaned = produc.copy()
    cols = ["lgsp", *X]
    demeaned[cols] = produc[cols] - produc.groupby("year")[cols].transform("mean")
    by_hand = _fit(demeaned, w_usa, "sar", "individual")
    res = _fit(produc, w_usa, "sar", "twoways", convention="splm")
    # equal up to the optimiser's tolerance on rho (1e-8 relative here)
    np.testing.assert_allclose(res.params, by_hand.params, rtol=1e-6)
    np.testing.assert_allclose(res.bse, by_hand.bse, rtol=1e-6)


def test_splm_convention_refuses_the_bias_correction(produc, w_usa):
    with pytest.raises(EstimationError, match=r"convention='splm' .* pass bias_correction=False"):
        _fit(produc, w_usa, "sar", "twoways", bias_correction=True, convention="splm")


def test_sar_twoways_exact_ml_is_close_to_splm(produc, w_usa, r_reference):
    # Same reference; our two-way estimator (exact ML, demeaned lag) differs from splm's
    # approximation by about 0.1 % in rho on these data and has the higher likelihood.
    ref = r_reference["sar_fe_tw"]
    res = _fit(produc, w_usa, "sar", "twoways")
    np.testing.assert_allclose(res.rho, ref["coef"]["lambda"], rtol=5e-3)
    np.testing.assert_allclose(
        res.params[X], [ref["coef"][R_NAMES[v]] for v in X], rtol=5e-3, atol=1e-5
    )
    assert res.llf > ref["logLik"]


def test_sar_random_effects(produc, w_usa, r_reference):
    # splm: spml(model="random", effect="individual", lag=TRUE, spatial.error="none")
    ref = r_reference["sar_re"]
    res = _fit(produc, w_usa, "sar", "random")
    names = {"const": "(Intercept)", **R_NAMES}
    keys = ["const", *X]
    np.testing.assert_allclose(res.params[keys], [ref["coef"][names[v]] for v in keys], rtol=RTOL)
    np.testing.assert_allclose(res.bse[keys], [ref["se"][names[v]] for v in keys], rtol=RTOL)
    np.testing.assert_allclose(res.rho, ref["arcoef"]["lambda"], rtol=RTOL)
    np.testing.assert_allclose(res.params["phi"], ref["errcomp"]["phi"], rtol=RTOL)
    # splm's sigma2 list: (one = σ²_μ + σ², idios = σ², id = σ²_μ)
    np.testing.assert_allclose(res.sigma2, ref["sigma2"][1], rtol=RTOL)
    np.testing.assert_allclose(res.params["phi"] * res.sigma2, ref["sigma2"][2], rtol=RTOL)
    np.testing.assert_allclose(res.llf, ref["logLik"], rtol=1e-8)


def test_sar_impacts_analytic(produc, w_usa, r_reference):
    # splm: impacts(sar_fe_ind, listw, time=17, R=1000) after set.seed(12345)
    ref = r_reference["sar_fe_ind_impacts"]
    imp = _fit(produc, w_usa, "sar", "individual").impacts(draws=1000, seed=0)
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(imp[(kind, "est")].loc[X], ref[kind], rtol=1e-6)


def test_sar_impacts_simulated_se(produc, w_usa, r_reference):
    # splm simulates from its vcov, which has zero covariance between rho and beta (its lag
    # routine returns the blocks separately); we do the same here by zeroing that block. With
    # R = 1000 draws each side's SE has Monte Carlo error of about 1/sqrt(2R) = 2.2 %, and the
    # RNGs differ, so the two agree to a few percent only: tolerance 8 % (observed <= 3.5 %).
    ref = r_reference["sar_fe_ind_impacts"]
    res = _fit(produc, w_usa, "sar", "individual")
    cov = res.cov.copy()
    cov.loc["rho", X] = 0.0
    cov.loc[X, "rho"] = 0.0
    imp = dataclasses.replace(res, cov=cov).impacts(draws=1000, seed=0)
    for kind in ("direct", "indirect", "total"):
        theirs = [ref[f"sim_se_{kind}"][R_NAMES[v]] for v in X]
        np.testing.assert_allclose(imp[(kind, "se")].loc[X], theirs, rtol=0.08)
