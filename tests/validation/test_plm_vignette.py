"""clusterdx.panel against the numbers printed in plm's vignette (reference/plm_vignette.json).

Source: the vignette "Panel data econometrics in R: the plm package" as built in CRAN plm 2.6-6
(``inst/doc/A_plmPackage.html``; text of Croissant & Millo 2008, *JSS* 27(2)): the Swamy-Arora
random-effects model on the unbalanced Hedonic data (Baltagi & Chang 1994, table 2) and on
Grunfeld, its vcovHC standard errors and the Hausman test. The figures are rounded as printed, so
each is compared at its printed precision (``_printed.assert_printed``); the worst relative
difference per reference is printed by ``pytest -s``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clusterdx.panel import fit, hausman
from tests.conftest import reference_file
from tests.validation._printed import assert_printed

HEDONIC = (
    "mv ~ crim + zn + indus + chasyes + nox + rm + age + dis + rad + tax + ptratio + blacks + lstat"
)
GRUNFELD = "inv ~ value + capital"


@pytest.fixture(scope="module")
def vignette() -> dict:
    return json.loads(reference_file("plm_vignette.json").read_text(encoding="utf-8"))


def _named(series):
    return {("(Intercept)" if k == "const" else k): v for k, v in series.items()}


def test_hedonic_unbalanced_random_effects_is_swamy_arora(hedonic, vignette):
    # plm(mv ~ ..., Hedonic, model = "random", index = "townid"): Baltagi-Chang (1994) unbalanced
    # Swamy-Arora; the between regression is on the sum T_i observations (vignette B_plmFunction).
    ref = vignette["hedonic_re_swar"]
    res = fit(hedonic, HEDONIC, entity="townid", time="tract", model="re", cov="unadjusted")
    assert (res.nobs, res.n_entities) == (506, 92)
    worst = assert_printed(_named(res.params), ref["coef"], "Hedonic RE coefficients")
    worst = max(worst, assert_printed(_named(res.bse), ref["se"], "Hedonic RE standard errors"))
    parts = res.raw.variance_decomposition
    components = {"var_idiosyncratic": parts["Residual"], "var_individual": parts["Effects"]}
    worst = max(worst, assert_printed(components, {k: ref[k] for k in components}, "variances"))
    # plm prints the summary of theta over the 506 observations
    theta = res.raw.theta.reindex(res.data.index.get_level_values(0)).to_numpy().ravel()
    thetas = {
        "theta_min": theta.min(),
        "theta_median": np.median(theta),
        "theta_mean": theta.mean(),
        "theta_max": theta.max(),
    }
    worst = max(worst, assert_printed(thetas, {k: ref[k] for k in thetas}, "theta"))
    # Not compared: plm's printed R² (0.99091) of an unbalanced RE model centres the transformed
    # response its own way; ours is 1 - RSS/TSS of the quasi-demeaned regression (0.990891),
    # which is what plm's printed sums of squares (8.9988 / 987.94) give.
    sums = {"rss": res.raw.resid_ss, "tss": res.raw.total_ss}
    worst = max(worst, assert_printed(sums, {k: ref[k] for k in sums}, "sums of squares"))
    print(f"plm vignette Hedonic RE: worst relative difference {worst:.2e}")


def test_grunfeld_random_effects_and_hausman(grunfeld, vignette):
    kwargs = {"entity": "firm", "time": "year", "cov": "unadjusted"}
    fe = fit(grunfeld, GRUNFELD, model="fe", **kwargs)
    re = fit(grunfeld, GRUNFELD, model="re", **kwargs)
    ref = vignette["grunfeld_re_swar"]
    worst = assert_printed(_named(re.params), ref["coef"], "Grunfeld RE coefficients")
    worst = max(worst, assert_printed(_named(re.bse), ref["se"], "Grunfeld RE SEs"))
    parts = re.raw.variance_decomposition
    extra = {
        "var_idiosyncratic": parts["Residual"],
        "var_individual": parts["Effects"],
        "theta": re.theta,
        "rsquared": re.rsquared,
    }
    worst = max(worst, assert_printed(extra, {k: ref[k] for k in extra}, "Grunfeld RE"))
    test = hausman(fe, re)
    ref = vignette["grunfeld_hausman"]
    assert test.df == ref["df"]
    printed = {"statistic": ref["statistic"], "p": ref["p"]}
    worst = max(
        worst,
        assert_printed({"statistic": test.statistic, "p": test.pvalue}, printed, "phtest"),
    )
    print(f"plm vignette Grunfeld RE + Hausman: worst relative difference {worst:.2e}")


def test_grunfeld_random_effects_vcovhc(grunfeld, vignette):
    # summary(re, vcov = vcovHC): plm's defaults are arellano / HC0 / cluster = group, i.e. our
    # cluster_adjustment="hc1" (factor n/(n-k)) times (n-k)/n, with n = 200 and k = 3.
    res = fit(
        grunfeld,
        GRUNFELD,
        entity="firm",
        time="year",
        model="re",
        cov="cluster",
        cluster_adjustment="hc1",
    )
    hc0 = res.bse * np.sqrt((res.nobs - 3) / res.nobs)
    ref = vignette["grunfeld_re_swar_vcovHC"]["se"]
    worst = assert_printed(_named(hc0), ref, "Grunfeld RE vcovHC SEs")
    print(f"plm vignette Grunfeld RE vcovHC: worst relative difference {worst:.2e}")
