"""Sun-Abraham IW event study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.panel import event_study
from clusterdx.panel.sunab import sun_abraham


def _panel(cohorts, seed=0):
    rng = np.random.default_rng(seed)
    n = 40
    df = pd.DataFrame({"region": np.repeat(np.arange(n), 8), "year": np.tile(range(2010, 2018), n)})
    df["g"] = np.asarray(cohorts, dtype=float)[df["region"] % len(cohorts)]
    rel = df["year"] - df["g"]
    effect = np.where(rel >= 0, 1 + 0.5 * rel, 0.0)
    df["y"] = effect + rng.normal(size=n)[df["region"]] + rng.normal(0, 0.5, len(df))
    return df


def test_single_cohort_equals_the_event_study():
    """One treated cohort and never-treated controls: IW = the ordinary event study (no bins)."""
    df = _panel([2013, np.nan])
    sa = sun_abraham(df, "y", "g", entity="region", time="year").set_index("rel")
    es = event_study(df, "y", "g", entity="region", time="year", leads=3, lags=4).coefs.set_index(
        "event_time"
    )
    np.testing.assert_allclose(sa["coef"], es.loc[sa.index, "coef"], rtol=1e-8, atol=1e-12)
    # CRV1 factors differ by one parameter: pyfixest (as fixest) keeps one of the entity effects
    # nested in the entity clusters in K, the linearmodels path of event_study keeps none
    n, k_lm = len(df), 7 + 7  # 7 relative-period dummies + T - 1 = 7 time effects
    ratio = np.sqrt((n - k_lm) / (n - k_lm - 1))
    np.testing.assert_allclose(sa["se"], es.loc[sa.index, "se"] * ratio, rtol=1e-8, atol=1e-12)


def test_heterogeneous_cohorts_recover_the_dynamic_effect():
    """Effects 1 + 0.5 rel in every cohort: IW recovers them where TWFE would be contaminated."""
    df = _panel([2012, 2014, 2016, np.nan], seed=3)
    sa = sun_abraham(df, "y", "g", entity="region", time="year").set_index("rel")
    for ell in (0, 1, 2, 3):
        assert sa.loc[ell, "coef"] == pytest.approx(1 + 0.5 * ell, abs=4 * sa.loc[ell, "se"])
    assert sa.loc[-1, "coef"] == 0.0
