"""First differences against plm's ``model="fd"`` (reference/plm_fd_tests.json) and the definition.

References: plm's own regression-test output ``inst/tests/test_FD_models.Rout.save``
(github:ycroissant/plm, commit 20069cd; R 4.2.0), on Produc, with the intercept plm keeps by
default and without it (``~ 0 + ...``), and its ``vcovHC`` (arellano, HC0, cluster = group). The
printed figures have 8 significant digits and are compared at printed precision. On Grunfeld,
where no published FD figures exist, the reference is the definition of the estimator: statsmodels
OLS of the differences on a constant and the differenced regressors.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import statsmodels.api as sm

from clusterdx.panel import fit
from tests.conftest import reference_file
from tests.validation._printed import assert_printed

PRODUC = "lgsp ~ lpcap + lpc + lemp + unemp"
R_NAMES = {"const": "(Intercept)", "lpcap": "log(pcap)", "lpc": "log(pc)", "lemp": "log(emp)"}


@pytest.fixture(scope="module")
def plm_fd() -> dict:
    return json.loads(reference_file("plm_fd_tests.json").read_text(encoding="utf-8"))


def _r(series):
    return {R_NAMES.get(k, k): v for k, v in series.items()}


def test_produc_fd_with_intercept_is_plm_default(produc, plm_fd):
    ref = plm_fd["produc_fd"]
    res = fit(produc, PRODUC, entity="state", time="year", model="fd", cov="unadjusted")
    assert res.nobs == ref["nobs"]
    worst = assert_printed(_r(res.params), ref["coef"], "plm FD coefficients")
    worst = max(worst, assert_printed(_r(res.bse), ref["se"], "plm FD standard errors"))
    worst = max(worst, assert_printed({"r2": res.rsquared}, {"r2": ref["rsquared"]}, "FD R²"))
    # vcovHC(fd_plm) = arellano HC0 by state: our cluster_adjustment="hc1" times (n-k)/n
    hc1 = fit(produc, PRODUC, entity="state", time="year", model="fd", cluster_adjustment="hc1")
    hc0 = np.diag(hc1.cov) * (hc1.nobs - 5) / hc1.nobs
    variances = dict(zip(_r(hc1.params), hc0, strict=True))
    worst = max(worst, assert_printed(variances, plm_fd["produc_fd_vcovHC"]["var"], "vcovHC"))
    print(f"plm FD (intercept) on Produc: worst relative difference {worst:.2e}")


def test_produc_fd_without_intercept(produc, plm_fd):
    ref = plm_fd["produc_fd_no_intercept"]
    res = fit(
        produc,
        PRODUC,
        entity="state",
        time="year",
        model="fd",
        cov="unadjusted",
        fd_intercept=False,
    )
    assert res.nobs == ref["nobs"] and "const" not in res.params
    worst = assert_printed(_r(res.params), ref["coef"], "plm FD (no intercept) coefficients")
    worst = max(worst, assert_printed(_r(res.bse), ref["se"], "plm FD (no intercept) SEs"))
    print(f"plm FD (no intercept) on Produc: worst relative difference {worst:.2e}")


def test_grunfeld_fd_is_ols_on_differences_with_a_constant(grunfeld):
    # No published Grunfeld FD figures were found; the reference is the estimator's definition.
    data = grunfeld.sort_values(["firm", "year"])
    d = data.groupby("firm")[["inv", "value", "capital"]].diff().dropna()
    ols = sm.OLS(d["inv"], sm.add_constant(d[["value", "capital"]])).fit()
    res = fit(
        grunfeld, "inv ~ value + capital", entity="firm", time="year", model="fd", cov="unadjusted"
    )
    np.testing.assert_allclose(res.params[ols.params.index], ols.params, rtol=1e-10)
    np.testing.assert_allclose(res.bse[ols.params.index], ols.bse, rtol=1e-10)
    without = fit(
        grunfeld,
        "inv ~ value + capital",
        entity="firm",
        time="year",
        model="fd",
        fd_intercept=False,
    )
    # the intercept matters here: dropping it moves a slope by 4.5 %
    assert np.abs(without.params / res.params[without.params.index] - 1).max() > 0.04
