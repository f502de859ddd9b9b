"""clusterdx.panel against R plm 2.6-2 on Grunfeld (tests/validation/reference/r_reference.json).

Reference calls (R 4.2.2, plm 2.6-2): ``plm(inv ~ value + capital, Grunfeld, model="within")``,
``model="random"`` (Swamy-Arora), ``phtest(fe, re)``, and
``vcovHC(fe, method="arellano", type="HC1")``.
"""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx.panel import fit, hausman

FORMULA = "inv ~ value + capital"
RTOL = 1e-9


@pytest.fixture(scope="module")
def fits(grunfeld):
    kwargs = {"entity": "firm", "time": "year", "cov": "unadjusted"}
    return fit(grunfeld, FORMULA, model="fe", **kwargs), fit(
        grunfeld, FORMULA, model="re", **kwargs
    )


def test_within_individual(fits, r_reference):
    ref = r_reference["grunfeld_fe_ind"]
    fe = fits[0]
    np.testing.assert_allclose(fe.params[list(ref["coef"])], list(ref["coef"].values()), rtol=RTOL)
    np.testing.assert_allclose(fe.bse[list(ref["se"])], list(ref["se"].values()), rtol=RTOL)


def test_random_swamy_arora(fits, r_reference):
    ref = r_reference["grunfeld_re_swar"]
    re = fits[1]
    names = {"(Intercept)": "const", "value": "value", "capital": "capital"}
    ours = [names[k] for k in ref["coef"]]
    np.testing.assert_allclose(re.params[ours], list(ref["coef"].values()), rtol=RTOL)
    np.testing.assert_allclose(re.bse[ours], list(ref["se"].values()), rtol=RTOL)
    np.testing.assert_allclose(re.theta, ref["theta"], rtol=RTOL)


def test_hausman_phtest(fits, r_reference):
    ref = r_reference["grunfeld_hausman"]
    res = hausman(*fits)
    np.testing.assert_allclose(res.statistic, ref["statistic"], rtol=RTOL)
    assert res.df == ref["df"]
    np.testing.assert_allclose(res.pvalue, ref["p"], rtol=RTOL)


def test_cluster_hc1_reproduces_plm_arellano_hc1(grunfeld, r_reference):
    # plm's vcovHC(method="arellano", type="HC1") is our cluster_adjustment="hc1": n/(n-k), with
    # the entity effects not counted (nested in the firm clusters).
    ref = r_reference["grunfeld_fe_ind_cluster_HC1"]["se"]
    res = fit(
        grunfeld,
        FORMULA,
        entity="firm",
        time="year",
        model="fe",
        cov="cluster",
        cluster_adjustment="hc1",
    )
    np.testing.assert_allclose(res.bse[list(ref)], list(ref.values()), rtol=RTOL)


def test_cluster_crv1_is_plm_hc1_times_group_factor(grunfeld, r_reference):
    # CRV1 = HC1 * G/(G-1) * (n-1)/n with G = 10 firms, n = 200.
    ref = r_reference["grunfeld_fe_ind_cluster_HC1"]["se"]
    res = fit(grunfeld, FORMULA, entity="firm", time="year", model="fe", cov="cluster")
    factor = np.sqrt(10 / 9 * 199 / 200)
    np.testing.assert_allclose(res.bse[list(ref)], np.array(list(ref.values())) * factor, rtol=RTOL)
