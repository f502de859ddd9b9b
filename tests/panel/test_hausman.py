"""Tests of clusterdx.panel.hausman (classic and Mundlak-robust forms)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from clusterdx.errors import EstimationError, StudySpecError
from clusterdx.panel import fit, hausman

FORMULA = "dt ~ demand + gov"


@pytest.fixture
def pair(sim_panel):
    fe = fit(sim_panel, FORMULA, entity="region", time="year", model="fe", cov="cluster")
    re = fit(sim_panel, FORMULA, entity="region", time="year", model="re", cov="cluster")
    return fe, re


def test_classic_uses_unadjusted_covariances_whatever_the_fit(sim_panel, pair):
    fe_u = fit(sim_panel, FORMULA, entity="region", time="year", model="fe", cov="unadjusted")
    re_u = fit(sim_panel, FORMULA, entity="region", time="year", model="re", cov="unadjusted")
    d = (fe_u.params - re_u.params[["demand", "gov"]]).to_numpy()
    v = (fe_u.cov - re_u.cov.loc[["demand", "gov"], ["demand", "gov"]]).to_numpy()
    expected = d @ np.linalg.solve(v, d)
    res = hausman(*pair)
    np.testing.assert_allclose(res.statistic, expected, rtol=1e-10)
    assert res.df == 2
    np.testing.assert_allclose(res.pvalue, stats.chi2.sf(expected, 2), rtol=1e-10)
    assert "chi2(2)" in res.summary()


def test_robust_mundlak_coefficients_are_within_minus_between(sim_panel, pair):
    # Mundlak (1978): in a balanced panel the coefficient on the within-demeaned regressors
    # of the augmented RE regression is b_within - b_between.
    res = hausman(*pair, method="robust")
    be = fit(sim_panel, FORMULA, entity="region", time="year", model="between", cov="unadjusted")
    expected = pair[0].params - be.params[["demand", "gov"]]
    np.testing.assert_allclose(res.contrast["coef"], expected, rtol=1e-8)
    assert res.df == 2 and res.method == "robust"


def test_robust_wald_equals_mundlak_xbar_test(sim_panel, pair):
    # The same test written as RE-GLS of y on x and the entity means (Wooldridge 2010, 10.7.3):
    # quasi-demeaned pooled OLS, entity-clustered CRV1 Wald on the means.
    theta = pair[1].theta
    data = pair[1].data
    means = data.groupby(level=0).transform("mean")
    y = data["dt"] - theta * means["dt"]
    x = data[["demand", "gov"]] - theta * means[["demand", "gov"]]
    xbar = (1 - theta) * means[["demand", "gov"]].rename(columns=lambda c: f"m_{c}")
    design = sm.add_constant(x).assign(const=1 - theta).join(xbar)
    groups = np.asarray(data.index.codes[0])
    ols = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    wald = ols.wald_test("m_demand = 0, m_gov = 0", scalar=True, use_f=False)
    np.testing.assert_allclose(hausman(*pair, method="robust").statistic, wald.statistic, rtol=1e-8)


def test_bad_pairs_and_method(sim_panel, pair):
    fe, re = pair
    with pytest.raises(StudySpecError, match=r"method='wald' is not allowed"):
        hausman(fe, re, method="wald")
    with pytest.raises(EstimationError, match="pass them in that order"):
        hausman(re, fe)
    other = fit(sim_panel, "dt ~ demand", entity="region", time="year", model="re")
    with pytest.raises(EstimationError, match="fit both with the same formula"):
        hausman(fe, other)
    fewer = fit(sim_panel.iloc[:-3], FORMULA, entity="region", time="year", model="re")
    with pytest.raises(EstimationError, match="different rows"):
        hausman(fe, fewer)


def test_classic_on_an_unbalanced_panel_contrasts_the_swamy_arora_fit(sim_panel):
    """The contrast uses the RE estimates the user fitted (Swamy-Arora of Baltagi-Chang)."""
    short = sim_panel[~((sim_panel["region"] < "R04") & (sim_panel["year"] > 2014))]
    fe = fit(short, FORMULA, entity="region", time="year", model="fe", cov="unadjusted")
    re = fit(short, FORMULA, entity="region", time="year", model="re", cov="unadjusted")
    d = (fe.params - re.params[["demand", "gov"]]).to_numpy()
    v = (fe.cov - re.cov.loc[["demand", "gov"], ["demand", "gov"]]).to_numpy()
    res = hausman(fe, re)
    np.testing.assert_allclose(res.contrast["re"], re.params[["demand", "gov"]], rtol=1e-12)
    np.testing.assert_allclose(res.statistic, d @ np.linalg.solve(v, d), rtol=1e-10)
