"""Callaway-Sant'Anna: multiplier bootstrap, uniform bands, covariate options and their errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdx.errors import EstimationError, PanelError, StudySpecError
from clusterdx.panel import callaway_santanna
from clusterdx.panel._multiplier import bands, bootstrap_draws
from tests.conftest import reference_file


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    """R did's county panel (see tests/validation/reference/README.md)."""
    return pd.read_csv(reference_file("mpdta.csv"))


def _cs(frame, **kwargs):
    return callaway_santanna(
        frame, "lemp", "first.treat", entity="countyreal", time="year", **kwargs
    )


@pytest.mark.parametrize("multiplier", ["mammen", "rademacher"])
def test_bootstrap_se_agrees_with_analytic_within_monte_carlo_error(mpdta, multiplier):
    # Given the data, a draw sum_i V_i psi_ij / sqrt(n) has variance sum_i psi_ij^2 / n for any
    # multipliers with variance 1, so the bootstrap SD / sqrt(n) estimates the analytic SE with
    # Monte Carlo error ~ 1/sqrt(2B) (1% at B = 4999): 4% bounds it for 12 cells.
    cs = _cs(mpdta, covariates=["lpop"], bootstrap=4999, seed=3, multiplier=multiplier)
    n = cs.n_entities
    draws = bootstrap_draws(cs.influence, 4999, multiplier, seed=3)
    np.testing.assert_allclose(draws.std(axis=0) / np.sqrt(n), cs.att_gt["se"], rtol=0.04)
    # the reported SE is R did's robust one, IQR / 1.349, exact for normal draws only: the
    # small 2004 cohort (20 counties) makes the draws lighter-tailed, so allow 10%
    for table in (cs.att_gt, cs.simple, cs.dynamic, cs.group):
        ratio = (table["se_boot"] / table["se"]).to_numpy()
        assert np.all(np.abs(ratio - 1) < 0.10), ratio


def test_uniform_band_is_wider_than_pointwise_and_below_bonferroni(mpdta):
    cs = _cs(mpdta, covariates=["lpop"], bootstrap=1999, seed=0)
    k = len(cs.att_gt)
    z = stats.norm.ppf(0.975)
    bonferroni = stats.norm.ppf(1 - 0.05 / (2 * k))
    assert z < cs.critical_values["att_gt"] < bonferroni
    assert (cs.att_gt["cband_lower"] < cs.att_gt["lower"]).all()
    assert (cs.att_gt["cband_upper"] > cs.att_gt["upper"]).all()
    for name in ("dynamic", "group"):
        assert z < cs.critical_values[name]
    # a single estimate's "band" is the pointwise bootstrap interval: about 1.96
    for name in ("simple", "dynamic average", "group average"):
        assert abs(cs.critical_values[name] - z) < 0.15
    assert set(cs.critical_values) == {
        "att_gt", "simple", "dynamic", "dynamic average", "group", "group average"
    }  # fmt: skip


def test_sup_t_critical_value_of_independent_estimates_is_sidak():
    # k independent standardised estimates: P(max |Z_j| <= c) = (2 Phi(c) - 1)^k, so the 95%
    # critical value is Phi^{-1}((1 + 0.95^(1/k)) / 2) = 2.569 for k = 5.
    rng = np.random.default_rng(12)
    n, k = 2000, 5
    psi = rng.normal(size=(n, k)) * np.array([1.0, 2.0, 0.5, 3.0, 1.0])
    fit = bands(bootstrap_draws(psi, 10_000, "mammen", seed=1), n, 0.05)
    sidak = stats.norm.ppf((1 + 0.95 ** (1 / k)) / 2)
    assert abs(fit.critical - sidak) < 0.05
    np.testing.assert_allclose(fit.se, np.sqrt((psi**2).sum(axis=0)) / n, rtol=0.03)


def test_bootstrap_is_seeded_and_leaves_the_analytic_results_unchanged(mpdta):
    plain = _cs(mpdta, covariates=["lpop"])
    one = _cs(mpdta, covariates=["lpop"], bootstrap=199, seed=5)
    two = _cs(mpdta, covariates=["lpop"], bootstrap=199, seed=5)
    other = _cs(mpdta, covariates=["lpop"], bootstrap=199, seed=6)
    pd.testing.assert_frame_equal(one.att_gt, two.att_gt)
    assert one.critical_values == two.critical_values
    assert not np.allclose(one.att_gt["se_boot"], other.att_gt["se_boot"])
    pd.testing.assert_frame_equal(plain.att_gt, one.att_gt[plain.att_gt.columns])
    assert "se_boot" not in plain.att_gt and plain.critical_values == {}


def test_universal_base_reference_cell_has_no_standard_error_or_band(mpdta):
    cs = _cs(mpdta, covariates=["lpop"], base_period="universal", bootstrap=199)
    ref = cs.att_gt[cs.att_gt["time"] == cs.att_gt["group"] - 1]
    assert len(ref) == 3 and (ref["att"] == 0).all()
    assert ref[["se", "se_boot", "cband_lower"]].isna().all().all()
    assert cs.att_gt.drop(ref.index)["se_boot"].notna().all()
    assert np.isnan(cs.dynamic.loc[-1.0, "se"]) and cs.dynamic.loc[-1.0, "att"] == 0


def test_covariates_remove_the_bias_of_covariate_specific_trends():
    # trends depend on x, and x is higher in the treated cohorts: unconditional parallel trends
    # fail, conditional ones hold; all three estimators recover the effect 1
    rng = np.random.default_rng(4)
    n = 800
    x = rng.normal(size=n)
    cohort = np.where(x + rng.normal(size=n) > 0.5, rng.choice([2015.0, 2017.0], n), np.nan)
    frame = pd.DataFrame({"id": np.repeat(np.arange(n), 6), "year": np.tile(range(2013, 2019), n)})
    frame["g"] = cohort[frame["id"]]
    frame["x"] = x[frame["id"]]
    treated = (frame["year"] >= frame["g"]).astype(float)
    frame["y"] = treated + 0.4 * frame["x"] * (frame["year"] - 2013) + rng.normal(size=len(frame))
    plain = callaway_santanna(frame, "y", "g", entity="id", time="year")
    assert plain.params["ATT"] - 1 > 0.3
    for method in ("dr", "ipw", "reg"):
        cs = callaway_santanna(
            frame, "y", "g", entity="id", time="year", covariates=["x"], est_method=method
        )
        att, se = cs.simple.loc["ATT", ["att", "se"]]
        assert abs(att - 1) < 3 * se and se < 0.2, method
        assert "x" in cs.method_note()


def test_method_note_in_both_languages(mpdta):
    cs = _cs(mpdta, covariates=["lpop"], est_method="ipw", bootstrap=99, multiplier="rademacher")
    en, zh = cs.method_note(), cs.method_note("zh")
    c = cs.critical_values
    assert en == (
        "inverse probability weighting on lpop; varying base period; multiplier bootstrap "
        f"(Rademacher weights, 99 draws, seed 0), uniform-band critical values: att_gt "
        f"{c['att_gt']:.3f}, dynamic {c['dynamic']:.3f}, group {c['group']:.3f}"
    )
    assert zh == (
        "逆概率加权估计，协变量：lpop；变动基期；乘数自助法（Rademacher权重，99次，随机数种子0）"
        f"一致置信带临界值：组别-时期 {c['att_gt']:.3f}，动态效应 {c['dynamic']:.3f}，"
        f"组别效应 {c['group']:.3f}"
    )
    assert _cs(mpdta).method_note() == "no covariates (differences of means); varying base period"


def test_bad_options_and_cells_name_the_fix(mpdta):
    with pytest.raises(
        StudySpecError,
        match=r"est_method='logit' is not allowed; use one of \['dr', 'ipw', 'reg'\]",
    ):
        _cs(mpdta, covariates=["lpop"], est_method="logit")
    with pytest.raises(StudySpecError, match=r"base_period='first'.*\['varying', 'universal'\]"):
        _cs(mpdta, base_period="first")
    with pytest.raises(StudySpecError, match=r"multiplier='webb'.*\['mammen', 'rademacher'\]"):
        _cs(mpdta, bootstrap=9, multiplier="webb")
    with pytest.raises(EstimationError, match="bootstrap=-1 must be a number of draws >= 0"):
        _cs(mpdta, bootstrap=-1)
    with pytest.raises(PanelError, match=r"covariate 'pop' is not in the panel; columns: \['year'"):
        _cs(mpdta, covariates=["pop"])
    with pytest.raises(PanelError, match=r"covariates \['year'\] are the response"):
        _cs(mpdta, covariates=["year"])
    twice = mpdta.assign(lpop2=2 * mpdta["lpop"])
    with pytest.raises(
        EstimationError,
        match=r"est_method=.reg.\), cohort 2004 in period 2004 \(20 treated, 309 comparison units\): the covariates of the comparison "
        r"units are collinear",
    ):
        _cs(twice, covariates=["lpop", "lpop2"], est_method="reg")
    separated = mpdta.assign(s=mpdta["first.treat"].eq(2004) + 0.01 * mpdta["lpop"])
    with pytest.raises(
        EstimationError,
        match=r"cohort 2004 in period 2004 \(20 treated, 309 comparison units\): the propensity score reaches 0.999",
    ):
        _cs(separated, covariates=["s"])
    missing = mpdta.astype({"lpop": float})
    missing.loc[3, "lpop"] = np.nan
    with pytest.raises(PanelError, match="column 'lpop' is missing or infinite in 1 rows"):
        _cs(missing, covariates=["lpop"])
