"""Tests of clusterdx.panel.models: fits, covariance conventions, checks of the inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from clusterdx.errors import EstimationError, PanelError, StudySpecError
from clusterdx.panel import PanelResult, fit, fit_stepwise
from clusterdx.paneldata import PanelFrame

FORMULA = "dt ~ demand + gov"


def _lsdv(frame: pd.DataFrame, y: str, x: list[str], entity: str, time: str):
    """statsmodels OLS with an intercept and entity and period dummies (LSDV)."""
    dummies = pd.get_dummies(frame[[entity, time]].astype(str), drop_first=True, dtype=float)
    design = sm.add_constant(pd.concat([frame[x], dummies], axis=1))
    return sm.OLS(frame[y], design)


@pytest.mark.parametrize("drop_rows", [0, 7])
def test_twoways_fe_equals_lsdv(sim_panel, drop_rows):
    # Independent computation: LSDV with statsmodels, balanced and unbalanced (7 rows dropped).
    frame = sim_panel.drop(index=sim_panel.index[3 : 3 + drop_rows * 9 : 9])
    res = fit(
        frame,
        FORMULA,
        entity="region",
        time="year",
        model="fe",
        effects="twoways",
        cov="unadjusted",
    )
    ols = _lsdv(frame, "dt", ["demand", "gov"], "region", "year").fit()
    np.testing.assert_allclose(res.params, ols.params[["demand", "gov"]], rtol=1e-8)
    np.testing.assert_allclose(res.bse, ols.bse[["demand", "gov"]], rtol=1e-8)
    assert res.nobs == len(frame)
    assert res.fixed_effects == {"entity": True, "time": True}


def test_twoways_crv1_counts_only_effects_not_nested_in_clusters(sim_panel):
    # statsmodels' CRV1 on the LSDV design counts all K_lsdv = k + N + T - 1 columns; ours counts
    # the k slopes and the T - 1 time effects (entity effects are nested in entity clusters).
    res = fit(
        sim_panel,
        FORMULA,
        entity="region",
        time="year",
        model="fe",
        effects="twoways",
        cov="cluster",
    )
    groups = pd.factorize(sim_panel["region"])[0]
    ols = _lsdv(sim_panel, "dt", ["demand", "gov"], "region", "year").fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    n, k_lsdv, k_ours = len(sim_panel), len(ols.params), 2 + 8 - 1
    expected = ols.bse[["demand", "gov"]] * np.sqrt((n - k_lsdv) / (n - k_ours))
    np.testing.assert_allclose(res.bse, expected, rtol=1e-8)
    assert res.df_inference == 11
    assert "G = 12" in res.cov_type and "CRV1" in res.cov_type


def test_cluster_on_column_nests_entity_effects(sim_panel):
    # Regions are nested in provinces: entity effects are not counted; 4 clusters.
    res = fit(sim_panel, FORMULA, entity="region", time="year", model="fe", cluster="province")
    dummies = pd.get_dummies(sim_panel["region"], drop_first=True, dtype=float)
    design = sm.add_constant(pd.concat([sim_panel[["demand", "gov"]], dummies], axis=1))
    groups = pd.factorize(sim_panel["province"])[0]
    lsdv = sm.OLS(sim_panel["dt"], design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    n, k_lsdv = len(sim_panel), lsdv.params.size
    expected = lsdv.bse[["demand", "gov"]] * np.sqrt((n - k_lsdv) / (n - 2))
    np.testing.assert_allclose(res.bse, expected, rtol=1e-8)
    assert res.df_inference == 3


def test_result_interface(sim_panel):
    res = fit(sim_panel, FORMULA, entity="region", time="year", model="pooled", cov="robust")
    assert isinstance(res, PanelResult)
    assert list(res.params.index) == ["const", "demand", "gov"] == res.exog_names
    np.testing.assert_allclose(res.tvalues, res.params / res.bse)
    ols = sm.OLS(sim_panel["dt"], sm.add_constant(sim_panel[["demand", "gov"]])).fit(cov_type="HC1")
    np.testing.assert_allclose(res.params, ols.params, rtol=1e-10)
    np.testing.assert_allclose(res.bse, ols.bse, rtol=1e-10)
    np.testing.assert_allclose(res.pvalues, 2 * stats.t.sf(np.abs(ols.tvalues), 93), rtol=1e-8)
    np.testing.assert_allclose(res.llf, ols.llf, rtol=1e-10)
    np.testing.assert_allclose(res.rsquared, ols.rsquared, rtol=1e-10)
    ci = res.conf_int(0.1)
    np.testing.assert_allclose(ci["upper"] - res.params, res.bse * stats.t.ppf(0.95, 93))
    assert res.fixed_effects == {"entity": False, "time": False}
    text = res.summary()
    assert "Panel regression: pooled" in text and "demand" in text and "96 (12 entities" in text


def test_pvalues_use_t_with_residual_df(sim_panel):
    res = fit(sim_panel, FORMULA, entity="region", time="year", model="fe", cov="unadjusted")
    ols = _lsdv(sim_panel, "dt", ["demand", "gov"], "region", "year")
    design = ols.exog[:, :14]  # const, slopes, 11 region dummies
    lsdv = sm.OLS(ols.endog, design).fit()
    np.testing.assert_allclose(res.pvalues, lsdv.pvalues[[1, 2]], rtol=1e-8)
    assert res.df_inference == 96 - 12 - 2


def test_default_covariances(sim_panel):
    assert fit(sim_panel, FORMULA, entity="region", time="year").cov_type.startswith(
        "clustered by entity"
    )
    between = fit(sim_panel, FORMULA, entity="region", time="year", model="between")
    assert between.cov_type.startswith("heteroskedasticity-robust")


def test_first_differences_and_between_match_ols(sim_panel):
    # FD is, by definition, OLS on the differences; by default with an intercept (plm, Stata)
    fd = fit(sim_panel, FORMULA, entity="region", time="year", model="fd", cov="unadjusted")
    diffs = sim_panel.sort_values(["region", "year"]).groupby("region")[["dt", "demand", "gov"]]
    d = diffs.diff().dropna()
    ols = sm.OLS(d["dt"], sm.add_constant(d[["demand", "gov"]])).fit()
    np.testing.assert_allclose(fd.params[["const", "demand", "gov"]], ols.params, rtol=1e-10)
    np.testing.assert_allclose(fd.bse[["const", "demand", "gov"]], ols.bse, rtol=1e-10)
    np.testing.assert_allclose(fd.rsquared, ols.rsquared, rtol=1e-10)
    assert (fd.nobs, fd.fd_intercept) == (84, True)
    fd = fit(
        sim_panel,
        FORMULA,
        entity="region",
        time="year",
        model="fd",
        cov="unadjusted",
        fd_intercept=False,
    )
    ols = sm.OLS(d["dt"], d[["demand", "gov"]]).fit()
    np.testing.assert_allclose(fd.params, ols.params, rtol=1e-10)
    np.testing.assert_allclose(fd.bse, ols.bse, rtol=1e-10)
    assert (fd.nobs, fd.fd_intercept) == (84, False)
    be = fit(sim_panel, FORMULA, entity="region", time="year", model="between", cov="unadjusted")
    means = sim_panel.groupby("region")[["dt", "demand", "gov"]].mean()
    ols = sm.OLS(means["dt"], sm.add_constant(means[["demand", "gov"]])).fit()
    np.testing.assert_allclose(be.params, ols.params, rtol=1e-10)
    np.testing.assert_allclose(be.bse, ols.bse, rtol=1e-10)


def test_first_differences_clustered_by_entity_and_time_clusters_named(sim_panel):
    """FD clustered by entity is CRV1 OLS on the differences; a time cluster is refused by name."""
    fd = fit(sim_panel, FORMULA, entity="region", time="year", model="fd", cov="cluster")
    data = sim_panel.sort_values(["region", "year"])
    d = data.groupby("region")[["dt", "demand", "gov"]].diff().assign(region=data["region"])
    d = d.dropna()
    # statsmodels 0.14 OLS(cov_type="cluster"): factor G/(G-1)·(n-1)/(n-k)
    ols = sm.OLS(d["dt"], sm.add_constant(d[["demand", "gov"]])).fit(
        cov_type="cluster", cov_kwds={"groups": d["region"]}
    )
    np.testing.assert_allclose(fd.bse[["const", "demand", "gov"]], ols.bse, rtol=1e-10)
    with pytest.raises(EstimationError, match="cluster='time' varies within 'region'"):
        fit(
            sim_panel,
            FORMULA,
            entity="region",
            time="year",
            model="fd",
            cov="cluster",
            cluster="time",
        )


def test_driscoll_kraay_bandwidth_is_documented(sim_panel):
    res = fit(sim_panel, FORMULA, entity="region", time="year", model="fe", cov="driscoll-kraay")
    assert "bandwidth 2" in res.cov_type  # floor(4 (8/100)^(2/9)) = floor(2.28)
    wider = fit(
        sim_panel,
        FORMULA,
        entity="region",
        time="year",
        model="fe",
        cov="driscoll-kraay",
        bandwidth=5,
    )
    assert "bandwidth 5" in wider.cov_type
    assert not np.allclose(wider.bse, res.bse)
    assert res.df_inference == 7


def test_missing_values_raise_by_default_and_drop_on_request(sim_panel):
    frame = sim_panel.copy()
    frame.loc[[5, 40], "gov"] = np.nan
    with pytest.raises(
        PanelError, match=r"column 'gov' is missing or infinite in 2 rows, first \[5, 40\]"
    ):
        fit(frame, FORMULA, entity="region", time="year")
    res = fit(frame, FORMULA, entity="region", time="year", missing="drop")
    assert res.dropped == 2 and res.nobs == 94


def test_duplicate_keys_are_named(sim_panel):
    frame = pd.concat([sim_panel, sim_panel.iloc[[3]]], ignore_index=True)
    with pytest.raises(
        PanelError, match=r"2 rows sharing an \(region, year\) pair, first \[\('R00', 2014\)\]"
    ):
        fit(frame, FORMULA, entity="region", time="year")


def test_unknown_columns_and_keys(sim_panel):
    with pytest.raises(PanelError, match=r"names \['capital'\]"):
        fit(sim_panel, "dt ~ demand + capital", entity="region", time="year")
    with pytest.raises(PanelError, match="entity column 'city' is not in the panel"):
        fit(sim_panel, FORMULA, entity="city", time="year")
    with pytest.raises(PanelError, match="cluster='industry' is neither"):
        fit(sim_panel, FORMULA, entity="region", time="year", cluster="industry")


def test_non_numeric_column_is_named(sim_panel):
    frame = sim_panel.assign(gov=sim_panel["gov"].astype(str))
    with pytest.raises(PanelError, match="column 'gov' has dtype"):
        fit(frame, FORMULA, entity="region", time="year")


def test_singular_designs_name_the_columns(sim_panel):
    frame = sim_panel.assign(demand2=2 * sim_panel["demand"] - sim_panel["gov"])
    with pytest.raises(
        EstimationError, match=r"regressors \['demand', 'gov', 'demand2'\] are linearly dependent"
    ):
        fit(
            frame,
            "dt ~ demand + gov + demand2 + tech",
            entity="region",
            time="year",
            model="pooled",
        )
    with pytest.raises(
        EstimationError, match=r"regressors \['area'\] are identically zero within entities"
    ):
        fit(sim_panel, "dt ~ demand + area", entity="region", time="year", model="fe")
    fit(sim_panel, "dt ~ demand + area", entity="region", time="year", model="fe", effects="time")
    with pytest.raises(
        EstimationError, match=r"\['area'\] are identically zero after first differencing"
    ):
        fit(sim_panel, "dt ~ demand + area", entity="region", time="year", model="fd")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": "ols"}, StudySpecError, r"model='ols' is not allowed; use one of \['pooled'"),
        ({"cov": "hac"}, StudySpecError, r"cov='hac' is not allowed; use one of \['unadjusted'"),
        ({"effects": "both"}, StudySpecError, r"effects='both' is not allowed; use one of"),
        ({"missing": "ignore"}, StudySpecError, r"missing='ignore' is not allowed"),
        ({"cluster_adjustment": "hc3"}, StudySpecError, r"cluster_adjustment='hc3'"),
        (
            {"model": "pooled", "effects": "time"},
            EstimationError,
            "does not apply to model='pooled'",
        ),
        ({"model": "re", "effects": "twoways"}, EstimationError, "only random individual effects"),
        (
            {"model": "between", "cov": "cluster"},
            EstimationError,
            r"not available for model='between'",
        ),
        ({"cov": "robust", "cluster": "time"}, EstimationError, r"apply only to cov='cluster'"),
        ({"cov": "cluster", "bandwidth": 3}, EstimationError, r"only to cov='driscoll-kraay'"),
        ({"cov": "driscoll-kraay", "bandwidth": -1}, EstimationError, r"bandwidth=-1 must be"),
    ],
)
def test_bad_options_list_the_allowed_values(sim_panel, kwargs, error, message):
    with pytest.raises(error, match=message):
        fit(sim_panel, FORMULA, entity="region", time="year", **kwargs)


def test_stepwise_adds_blocks_on_common_rows(sim_panel):
    frame = sim_panel.copy()
    frame.loc[7, "tech"] = np.nan
    steps = fit_stepwise(
        frame,
        "dt",
        [["demand"], ["gov"], ["tech"]],
        entity="region",
        time="year",
        missing="drop",
        cov="robust",
    )
    assert [r.exog_names for r in steps] == [
        ["demand"],
        ["demand", "gov"],
        ["demand", "gov", "tech"],
    ]
    assert [r.nobs for r in steps] == [95, 95, 95]
    assert [r.dropped for r in steps] == [1, 1, 1]
    direct = fit(
        frame.drop(index=7), "dt ~ demand + gov", entity="region", time="year", cov="robust"
    )
    np.testing.assert_allclose(steps[1].params, direct.params, rtol=1e-12)
    with pytest.raises(PanelError, match="non-empty list of lists"):
        fit_stepwise(frame, "dt", ["demand", "gov"], entity="region", time="year")
    with pytest.raises(PanelError, match=r"empty blocks at positions \[1\]"):
        fit_stepwise(frame, "dt", [["demand"], []], entity="region", time="year")


@pytest.mark.parametrize(
    "options",
    [
        {"cov": "robust"},
        {"cov": "cluster", "cluster": "province", "missing": "drop"},
        {"model": "fd", "cov": "driscoll-kraay"},
    ],
)
def test_stepwise_validates_once_and_equals_separate_fits(sim_panel, monkeypatch, options):
    frame = sim_panel.assign(tech=sim_panel["tech"].mask(sim_panel.index == 7))
    if "missing" not in options:
        frame = frame.drop(index=7)
    keys = {"entity": "region", "time": "year"}
    # the separate fits on the common rows each validate the panel
    common = frame.drop(index=7, errors="ignore")
    separate = [
        fit(common, f"dt ~ {x}", **keys, **options) for x in ("demand", "demand + gov + tech")
    ]
    built = []
    init = PanelFrame.__init__

    def counted(self, *args, **kwargs):
        built.append(args[1])
        init(self, *args, **kwargs)

    monkeypatch.setattr(PanelFrame, "__init__", counted)
    steps = fit_stepwise(frame, "dt", [["demand"], ["gov", "tech"]], **keys, **options)
    assert built == [["dt", "demand", "gov", "tech"]]
    for step, alone in zip(steps, separate, strict=True):
        pd.testing.assert_series_equal(step.params, alone.params)
        pd.testing.assert_series_equal(step.bse, alone.bse)
        assert step.nobs == alone.nobs
    assert [step.dropped for step in steps] == [int("missing" in options)] * 2


def test_text_years_are_converted_and_bad_ones_named(sim_panel):
    res = fit(sim_panel, FORMULA, entity="region", time="year", effects="twoways")
    text = sim_panel.assign(year=sim_panel["year"].astype(str))
    again = fit(text, FORMULA, entity="region", time="year", effects="twoways")
    np.testing.assert_allclose(again.bse, res.bse, rtol=1e-12)
    chinese = sim_panel.assign(year=sim_panel["year"].astype(str) + "年")
    with pytest.raises(PanelError, match=r"time column 'year' has values .* e.g. \['2011年'"):
        fit(chinese, FORMULA, entity="region", time="year")


def test_two_way_and_time_clustering(sim_panel):
    # statsmodels' Cameron-Gelbach-Miller two-way clustering with its per-component correction.
    both = fit(sim_panel, FORMULA, entity="region", time="year", model="pooled", cluster="both")
    groups = np.column_stack(
        [pd.factorize(sim_panel["region"])[0], pd.factorize(sim_panel["year"])[0]]
    )
    design = sm.add_constant(sim_panel[["demand", "gov"]])
    ols = sm.OLS(sim_panel["dt"], design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(both.bse, ols.bse, rtol=1e-8)
    assert both.df_inference == 7 and "clustered by both (G = 8)" in both.cov_type
    by_time = fit(sim_panel, FORMULA, entity="region", time="year", model="pooled", cluster="time")
    ols = sm.OLS(sim_panel["dt"], design).fit(cov_type="cluster", cov_kwds={"groups": groups[:, 1]})
    np.testing.assert_allclose(by_time.bse, ols.bse, rtol=1e-8)


def test_driscoll_kraay_matches_its_formula(sim_panel):
    # Driscoll & Kraay (1998): V = (X'X)^-1 S (X'X)^-1 n/(n-k-d) with the Bartlett-weighted
    # autocovariances of the period sums h_t of the within scores x_it e_it.
    res = fit(
        sim_panel,
        FORMULA,
        entity="region",
        time="year",
        model="fe",
        cov="driscoll-kraay",
        bandwidth=3,
    )
    data = res.data
    demeaned = data - data.groupby(level=0).transform("mean")
    x = demeaned[["demand", "gov"]].to_numpy()
    e = demeaned["dt"].to_numpy() - x @ res.params.to_numpy()
    h = pd.DataFrame(x * e[:, None]).groupby(data.index.get_level_values(1).to_numpy()).sum()
    h = h.sort_index().to_numpy()
    s = h.T @ h
    for lag in range(1, 4):
        gamma = h[lag:].T @ h[:-lag]
        s += (1 - lag / 4) * (gamma + gamma.T)
    xtx_inv = np.linalg.inv(x.T @ x)
    n = len(e)
    v = xtx_inv @ s @ xtx_inv * n / (n - 2 - 12)
    np.testing.assert_allclose(res.bse, np.sqrt(np.diag(v)), rtol=1e-8)


def test_key_columns_can_be_regressors(sim_panel):
    # A linear trend in the period: allowed with entity effects, absorbed under two-way effects.
    res = fit(sim_panel, "dt ~ demand + year", entity="region", time="year", cov="unadjusted")
    dummies = pd.get_dummies(sim_panel["region"], drop_first=True, dtype=float)
    design = sm.add_constant(pd.concat([sim_panel[["demand", "year"]], dummies], axis=1))
    ols = sm.OLS(sim_panel["dt"], design).fit()
    np.testing.assert_allclose(res.params, ols.params[["demand", "year"]], rtol=1e-8)
    with pytest.raises(EstimationError, match=r"\['year'\] are identically zero after two-way"):
        fit(sim_panel, "dt ~ demand + year", entity="region", time="year", effects="twoways")


def test_first_differences_over_a_gap_are_not_taken(sim_panel):
    """A missing period loses the differences that would span it (Stata's D.), intercept or not."""
    gap = sim_panel.drop(
        index=sim_panel.index[(sim_panel["region"] == "R00") & (sim_panel["year"] == 2014)]
    )
    for intercept in (True, False):
        fd = fit(gap, FORMULA, entity="region", time="year", model="fd", fd_intercept=intercept)
        assert fd.nobs == 84 - 2


def test_fd_intercept_is_refused_for_other_models_and_stated_in_the_table_note(sim_panel):
    with pytest.raises(EstimationError, match="fd_intercept applies only to model='fd'"):
        fit(sim_panel, FORMULA, entity="region", time="year", model="fe", fd_intercept=False)
    from clusterdx.report import RegressionTable

    results = [
        fit(sim_panel, FORMULA, entity="region", time="year", model="fe"),
        fit(sim_panel, FORMULA, entity="region", time="year", model="fd"),
        fit(sim_panel, FORMULA, entity="region", time="year", model="fd", fd_intercept=False),
    ]
    note = RegressionTable(results, lang="en").grid.notes[0]
    assert note.endswith(
        "(2) first differences with an intercept (a linear trend in levels). "
        "(3) first differences without an intercept."
    )
    note = RegressionTable(results[1:2], lang="zh").grid.notes[0]
    assert note.endswith("第(1)列为含常数项的一阶差分估计（常数项即水平方程中的线性趋势）。")


def test_fitted_effects_resid_match_linearmodels_and_predict_matches_lsdv(grunfeld):
    # plm::Grunfeld, two-way FE. linearmodels 7.1 PanelOLS gives x'b (fitted_values), the combined
    # effects and the idiosyncratic residuals. Out of the sample (every seventh row held out of an
    # unbalanced fit; their firms and years are seen) predict(data, effects=True) is x'b + a_i +
    # l_t of the dummy-variable regression (numpy lstsq on firm and year dummies). (pyfixest 0.60
    # Feols.predict(newdata) agrees to 2.4e-5 only: it recovers the fixed effects iteratively.)
    from linearmodels import PanelOLS

    res = fit(
        grunfeld, "inv ~ value + capital", entity="firm", time="year", model="fe", effects="twoways"
    )
    peer = PanelOLS.from_formula(
        "inv ~ value + capital + EntityEffects + TimeEffects",
        data=grunfeld.set_index(["firm", "year"]),
    ).fit()
    np.testing.assert_allclose(res.fitted_values, peer.fitted_values.iloc[:, 0], rtol=1e-10)
    np.testing.assert_allclose(res.resid, peer.idiosyncratic.iloc[:, 0], atol=1e-8)
    np.testing.assert_allclose(
        res.fitted_values + res.estimated_effects + res.resid,
        grunfeld.set_index(["firm", "year"])["inv"],
        rtol=1e-10,
    )
    held = np.arange(len(grunfeld)) % 7 == 0
    train, test = grunfeld[~held], grunfeld[held]

    def dummies(frame):
        firms = pd.get_dummies(pd.Categorical(frame["firm"], sorted(grunfeld["firm"].unique())))
        years = pd.get_dummies(pd.Categorical(frame["year"], sorted(grunfeld["year"].unique())))
        return np.column_stack([frame[["value", "capital"]], firms, years.iloc[:, 1:]]).astype(
            float
        )

    coef, *_ = np.linalg.lstsq(dummies(train), train["inv"].to_numpy(), rcond=None)
    ours = fit(
        train, "inv ~ value + capital", entity="firm", time="year", model="fe", effects="twoways"
    )
    np.testing.assert_allclose(ours.predict(test, effects=True), dummies(test) @ coef, rtol=1e-9)
    np.testing.assert_allclose(
        ours.predict(test), test[["value", "capital"]].to_numpy() @ coef[:2], rtol=1e-9
    )
    with pytest.raises(PanelError, match=r"predict\(effects=True\): firm \[99\] are not in"):
        ours.predict(test.assign(firm=99), effects=True)


def test_predict_refuses_first_differences_and_effects_without_fixed_effects(grunfeld):
    fd = fit(grunfeld, "inv ~ value + capital", entity="firm", time="year", model="fd")
    with pytest.raises(EstimationError, match=r"predict\(data\) is not defined for model='fd'"):
        fd.predict(grunfeld)
    pooled = fit(grunfeld, "inv ~ value + capital", entity="firm", time="year", model="pooled")
    with pytest.raises(EstimationError, match="effects=True predicts with estimated fixed"):
        pooled.predict(grunfeld, effects=True)
    np.testing.assert_allclose(pooled.predict(grunfeld), pooled.fitted_values, rtol=1e-12)
