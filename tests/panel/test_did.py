"""Tests of clusterdx.panel.did: TWFE DID, event study and Callaway-Sant'Anna ATTs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from clusterdx.errors import EstimationError, PanelError, StudySpecError
from clusterdx.panel import callaway_santanna, did, event_study

YEARS = np.arange(2010, 2020)
SCALE = {2013: 1.0, 2015: 2.0, 2017: 3.0}


def _staggered(seed: int, n_entities: int = 600, noise: float = 0.2, dynamic: float = 0.5):
    """Staggered adoption; effect of cohort g at event time e >= 0 is SCALE[g] * (1 + dynamic e).

    Cohorts 2013/2015/2017 and never treated with shares 0.3/0.3/0.2/0.2; unit effects, a
    common linear trend and N(0, noise²) errors. Returns the panel and the true effects.
    """
    rng = np.random.default_rng(seed)
    cohort = rng.choice([2013.0, 2015.0, 2017.0, np.nan], size=n_entities, p=[0.3, 0.3, 0.2, 0.2])
    entity = np.repeat(np.arange(n_entities), len(YEARS))
    year = np.tile(YEARS, n_entities)
    g = cohort[entity]
    rel = year - g
    scale = pd.Series(g).map(SCALE).fillna(0.0).to_numpy()
    tau = np.where(rel >= 0, scale * (1 + dynamic * np.where(rel >= 0, rel, 0)), 0.0)
    y = rng.normal(size=n_entities)[entity] + 0.3 * (year - 2010) + tau
    y = y + rng.normal(scale=noise, size=len(y))
    frame = pd.DataFrame({"id": entity, "year": year, "g": g, "y": y})
    return frame, tau, rel


def test_twfe_is_biased_and_callaway_santanna_recovers_the_att():
    frame, tau, rel = _staggered(seed=7)
    # the simple aggregation weights every post-treatment (g, t) cell by its cohort size, i.e.
    # it is the mean true effect over treated post-treatment observations
    true_att = tau[rel >= 0].mean()
    twfe = did(frame, "y", "g", entity="id", time="year").params["treat_post"]
    assert true_att - twfe > 0.3  # forbidden comparisons bias TWFE downwards here
    for control in ("nevertreated", "notyettreated"):
        cs = callaway_santanna(frame, "y", "g", entity="id", time="year", control_group=control)
        att, se = cs.simple.loc["ATT", ["att", "se"]]
        assert abs(att - true_att) < 0.05
        assert abs(att - true_att) < 3 * se
        # dynamic aggregation recovers the mean effect at each event time
        for e in (0, 2, 4):
            cells = (rel == e) & np.isfinite(rel)
            truth = tau[cells].mean()
            assert abs(cs.dynamic.loc[float(e), "att"] - truth) < 0.06
        pre = cs.dynamic.loc[[-3.0, -2.0, -1.0], "att"]
        assert (pre.abs() < 0.06).all()


def test_group_time_att_is_a_two_by_two_regression():
    # ATT(2015, 2017) with never-treated controls equals the interaction coefficient of a
    # 2x2 DID regression (statsmodels OLS) of y on treated, post and treated*post over
    # cohort-2015 and never-treated entities in 2014 and 2017.
    frame, _, _ = _staggered(seed=3, n_entities=200)
    cs = callaway_santanna(frame, "y", "g", entity="id", time="year")
    cell = cs.att_gt.query("group == 2015 and time == 2017").iloc[0]
    sub = frame[(frame["g"].eq(2015) | frame["g"].isna()) & frame["year"].isin([2014, 2017])]
    treated = sub["g"].eq(2015).astype(float)
    post = sub["year"].eq(2017).astype(float)
    design = sm.add_constant(pd.DataFrame({"d": treated, "p": post, "dp": treated * post}))
    ols = sm.OLS(sub["y"], design).fit()
    np.testing.assert_allclose(cell["att"], ols.params["dp"], rtol=1e-10)
    assert cell["base"] == 2014 and cell["event_time"] == 2
    # analytic SE: two-sample standard error of the mean changes (variances with ddof=0)
    wide = frame.pivot(index="id", columns="year", values="y")
    change = wide[2017] - wide[2014]
    cohort = frame.groupby("id")["g"].first()
    d, c = change[cohort.eq(2015)], change[cohort.isna()]
    se = np.sqrt(d.var(ddof=0) / len(d) + c.var(ddof=0) / len(c))
    np.testing.assert_allclose(cell["se"], se, rtol=1e-10)


def test_not_yet_treated_controls_and_pre_periods():
    frame, _, _ = _staggered(seed=5, n_entities=100)
    cs = callaway_santanna(frame, "y", "g", entity="id", time="year", control_group="notyettreated")
    cell = cs.att_gt.query("group == 2013 and time == 2015").iloc[0]
    cohort = frame.groupby("id")["g"].first()
    expected = int((cohort.isna() | (cohort > 2015)).sum())
    assert cell["n_control"] == expected and cell["base"] == 2012
    pre = cs.att_gt.query("group == 2017 and time == 2014").iloc[0]
    assert pre["base"] == 2013 and pre["event_time"] == -3
    # cohort 2017 is never its own control
    assert pre["n_control"] == int((cohort.isna() | cohort.isin([2015.0])).sum())


def test_simple_aggregate_weights_and_table_interface():
    frame, _, _ = _staggered(seed=9, n_entities=150)
    cs = callaway_santanna(frame, "y", "g", entity="id", time="year")
    post = cs.att_gt[cs.att_gt["event_time"] >= 0]
    weights = post["n_treated"] / post["n_treated"].sum()
    np.testing.assert_allclose(cs.simple.loc["ATT", "att"], weights @ post["att"], rtol=1e-12)
    assert cs.params["ATT"] == cs.simple.loc["ATT", "att"]
    assert cs.nobs == 1500 and cs.n_entities == 150
    group = cs.aggregate("group")
    g2013 = post[post["group"] == 2013]["att"].mean()
    np.testing.assert_allclose(group.loc[2013.0, "att"], g2013, rtol=1e-12)
    assert "Callaway & Sant'Anna" in cs.summary()
    with pytest.raises(StudySpecError, match="'simple', 'dynamic', 'group'"):
        cs.aggregate("calendar")


def test_did_equals_lsdv_with_treat_post():
    frame, _, rel = _staggered(seed=1, n_entities=60)
    res = did(frame, "y", "g", entity="id", time="year", cov="unadjusted")
    dummies = pd.get_dummies(frame[["id", "year"]].astype(str), drop_first=True, dtype=float)
    d = pd.Series((rel >= 0).astype(float), name="d")
    ols = sm.OLS(frame["y"], sm.add_constant(pd.concat([d, dummies], axis=1))).fit()
    np.testing.assert_allclose(res.params["treat_post"], ols.params["d"], rtol=1e-8)
    np.testing.assert_allclose(res.bse["treat_post"], ols.bse["d"], rtol=1e-8)


def test_event_study_bins_endpoints_and_matches_lsdv():
    frame, _, rel = _staggered(seed=2, n_entities=80)
    res = event_study(frame, "y", "g", entity="id", time="year", leads=3, lags=2, cov="unadjusted")
    assert list(res.coefs["event_time"]) == [-3, -2, -1, 0, 1, 2]
    assert res.coefs.set_index("event_time").loc[-1, "coef"] == 0.0
    binned = np.clip(np.nan_to_num(rel, nan=-99), -3, 2)
    binned = np.where(np.isnan(rel), np.nan, binned)
    dummies = pd.get_dummies(frame[["id", "year"]].astype(str), drop_first=True, dtype=float)
    events = pd.DataFrame({f"e{e}": (binned == e).astype(float) for e in (-3, -2, 0, 1, 2)})
    ols = sm.OLS(frame["y"], sm.add_constant(pd.concat([events, dummies], axis=1))).fit()
    np.testing.assert_allclose(
        res.params[["pre3", "pre2", "post0", "post1", "post2"]],
        ols.params[["e-3", "e-2", "e0", "e1", "e2"]],
        rtol=1e-8,
    )
    assert res.model == "event study" and "reference event time -1" in res.summary()


def test_event_study_never_treated_have_no_event_dummies():
    # with period effects only, a constant event dummy for never-treated units would not be
    # absorbed: compare with statsmodels OLS where never-treated rows have all dummies zero
    frame, _, rel = _staggered(seed=6, n_entities=60)
    res = event_study(frame, "y", "g", entity="id", time="year", leads=2, lags=2, effects="time")
    binned = np.where(np.isnan(rel), np.nan, np.clip(np.nan_to_num(rel, nan=0.0), -2, 2))
    events = pd.DataFrame({f"e{e}": (binned == e).astype(float) for e in (-2, 0, 1, 2)})
    years = pd.get_dummies(frame["year"].astype(str), drop_first=True, dtype=float)
    ols = sm.OLS(frame["y"], sm.add_constant(pd.concat([events, years], axis=1))).fit()
    np.testing.assert_allclose(
        res.params[["pre2", "post0", "post1", "post2"]],
        ols.params[["e-2", "e0", "e1", "e2"]],
        rtol=1e-8,
    )


def test_inputs_are_checked():
    frame, _, _ = _staggered(seed=4, n_entities=40)
    bad = frame.copy()
    bad.loc[0, "g"] = 2011.0
    with pytest.raises(PanelError, match="varies within 'id'"):
        did(bad, "y", "g", entity="id", time="year")
    with pytest.raises(StudySpecError, match="'nevertreated', 'notyettreated'"):
        callaway_santanna(frame, "y", "g", entity="id", time="year", control_group="all")
    with pytest.raises(PanelError, match="balanced panel"):
        callaway_santanna(frame.iloc[1:], "y", "g", entity="id", time="year")
    treated_all = frame.assign(g=frame["g"].fillna(2019.0))
    with pytest.raises(EstimationError, match="never treated"):
        callaway_santanna(treated_all, "y", "g", entity="id", time="year")
    with pytest.raises(EstimationError, match="ref=-5"):
        event_study(frame, "y", "g", entity="id", time="year", leads=3, ref=-5)


# Reference values from csdid 0.4.3 (PyPI; Python port of R `did`, independent of this project):
#   ATTgt(yname="y", tname="year", idname="id", gname="g0", data=df, control_group=cg)
#       .fit(est_method="reg", bstrap=False), then .aggte(typec=..., bstrap=False),
# on df = _staggered(seed=11, n_entities=300, noise=1.0) with never-treated coded g0 = 0.
# Keys: (group, time) -> (ATT, analytic SE); aggregations -> (overall ATT, SE); "e2" is the
# dynamic effect at event time 2.
CSDID_REFERENCE = {
    "nevertreated": {
        (2013, 2013): (1.1292921391561361, 0.2275274132383853),
        (2015, 2019): (5.543135095333486, 0.2467534571308297),
        (2017, 2014): (0.383217450113618, 0.2702342585641097),
        "simple": (3.2149179526105467, 0.13645336419264067),
        "dynamic": (3.383768058234744, 0.14626489859566502),
        "e2": (3.610383077229131, 0.18658688178133953),
        "group": (3.3987412008797238, 0.1318609455330803),
    },
    "notyettreated": {
        (2013, 2013): (1.111998647175497, 0.1721905298648884),
        (2015, 2019): (5.543135095333486, 0.2467534571308297),
        (2017, 2014): (-0.0012783366063442436, 0.21453154950303102),
        "simple": (3.2031386666911987, 0.12676644876126922),
        "dynamic": (3.3724520846589447, 0.13696253497410424),
        "e2": (3.6440900564251875, 0.17644649879142357),
        "group": (3.396878258802305, 0.12664469217551785),
    },
}


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_matches_csdid_reference(control):
    frame, _, _ = _staggered(seed=11, n_entities=300, noise=1.0)
    cs = callaway_santanna(frame, "y", "g", entity="id", time="year", control_group=control)
    ref = CSDID_REFERENCE[control]
    cells = cs.att_gt.set_index(["group", "time"])
    for g, t in [(2013, 2013), (2015, 2019), (2017, 2014)]:
        got = cells.loc[(float(g), float(t)), ["att", "se"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, ref[(g, t)], rtol=1e-8)
    np.testing.assert_allclose(
        cs.simple.loc["ATT", ["att", "se"]].to_numpy(float), ref["simple"], rtol=1e-8
    )
    dynamic = cs.dynamic
    np.testing.assert_allclose(
        dynamic.loc["average e>=0", ["att", "se"]].to_numpy(float), ref["dynamic"], rtol=1e-8
    )
    np.testing.assert_allclose(
        dynamic.loc[2.0, ["att", "se"]].to_numpy(float), ref["e2"], rtol=1e-8
    )
    np.testing.assert_allclose(
        cs.group.loc["average", ["att", "se"]].to_numpy(float), ref["group"], rtol=1e-8
    )


def test_a_single_control_may_be_given_as_a_string():
    """``controls="gov"`` means the column gov, not the columns g, o, v."""
    rng = np.random.default_rng(3)
    panel = pd.DataFrame(
        {"region": np.repeat(np.arange(6), 5), "year": np.tile(np.arange(2018, 2023), 6)}
    )
    panel["pilot"] = np.repeat([2020, 2020, 2021, 2021, np.nan, np.nan], 5)
    panel["gov"] = rng.normal(size=30)
    panel["dt"] = (
        (panel["year"] >= panel["pilot"]).astype(float)
        + 0.5 * panel["gov"]
        + rng.normal(0, 0.1, 30)
    )
    as_text = did(panel, "dt", "pilot", entity="region", time="year", controls="gov")
    as_list = did(panel, "dt", "pilot", entity="region", time="year", controls=["gov"])
    np.testing.assert_allclose(as_text.params, as_list.params, rtol=1e-12)
    events = event_study(
        panel, "dt", "pilot", entity="region", time="year", leads=2, lags=2, controls="gov"
    )
    assert "gov" in events.fit.params.index
