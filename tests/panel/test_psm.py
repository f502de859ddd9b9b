"""PSM-DID: matching against brute force, balance against the formula, DID on the matched rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from clusterdx.errors import StudySpecError
from clusterdx.panel import did
from clusterdx.panel.psm import _match, psm_did


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(60), 6), "year": np.tile(range(2015, 2021), 60)}
    )
    size = rng.normal(size=60)
    df["size"] = size[df["region"]] + rng.normal(0, 0.2, len(df))
    df["age"] = rng.normal(size=len(df))
    treated = rng.random(60) < 1 / (1 + np.exp(-1.5 * size))
    df["pilot"] = np.where(treated[df["region"]], 2018, np.nan)
    df["y"] = df["size"] + 0.5 * (df["year"] >= df["pilot"]) + rng.normal(0, 0.3, len(df))
    return df


def test_logit_score_is_statsmodels_and_nearest_match_is_brute_force():
    df = _panel()
    res = psm_did(df, "y", "pilot", ["size", "age"], entity="region", time="year")
    treated = df["pilot"].notna().astype(int).to_numpy()
    ref = sm.Logit(treated, sm.add_constant(df[["size", "age"]].to_numpy())).fit(disp=False)
    np.testing.assert_allclose(res.scores["score"], ref.predict(), rtol=1e-8)
    score = res.scores["score"].to_numpy()
    controls = np.flatnonzero(treated == 0)
    counts = np.zeros(len(df))
    for i in np.flatnonzero(treated == 1):
        counts[controls[np.argmin(np.abs(score[controls] - score[i]))]] += 1
    np.testing.assert_allclose(res.scores["weight"].to_numpy()[treated == 0], counts[treated == 0])
    keep = (treated == 1) | (counts > 0)
    ref_did = did(df.loc[keep], "y", "pilot", entity="region", time="year")
    assert res.did.params["treat_post"] == pytest.approx(ref_did.params["treat_post"], rel=1e-10)


def test_balance_table_standardised_bias():
    df = _panel()
    res = psm_did(df, "y", "pilot", ["size"], entity="region", time="year")
    treated = df["pilot"].notna().to_numpy()
    xt, xc = df.loc[treated, "size"], df.loc[~treated, "size"]
    before = 100 * (xt.mean() - xc.mean()) / np.sqrt((xt.var() + xc.var()) / 2)
    assert res.balance.loc["size", "bias_before"] == pytest.approx(before, rel=1e-12)
    w = res.scores["weight"].to_numpy()[~treated]
    after = 100 * (xt.mean() - np.average(xc, weights=w)) / np.sqrt((xt.var() + xc.var()) / 2)
    assert res.balance.loc["size", "bias_after"] == pytest.approx(after, rel=1e-12)
    assert abs(res.balance.loc["size", "bias_after"]) < abs(before)


def test_caliper_and_kernel_weights():
    score = np.array([0.10, 0.50, 0.12, 0.30, 0.90])
    treated = np.array([1, 1, 0, 0, 0])
    w, ok = _match(score, treated, "caliper", 0.05, 0.06)
    assert ok.tolist() == [True, False, False, False, False]
    assert w.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]
    w, ok = _match(score, treated, "kernel", 0.05, 0.25)
    # treated 0.10: controls 0.12 and 0.30 within h = 0.25; treated 0.50: only 0.30
    near, far = 0.75 * (1 - (0.02 / 0.25) ** 2), 0.75 * (1 - (0.20 / 0.25) ** 2)
    assert ok.tolist() == [True, True, False, False, False]
    assert w[2] == pytest.approx(near / (near + far))
    assert w[3] == pytest.approx(far / (near + far) + 1.0)
    assert w[4] == 0.0


def test_period_scope_runs_and_figure():
    res = psm_did(_panel(1), "y", "pilot", ["size"], entity="region", time="year", scope="period",
                  method="kernel")  # fmt: skip
    assert res.scope == "period" and res.n_matched > 0
    assert len(res.figure(lang="zh").axes) == 2


def test_bad_method():
    with pytest.raises(StudySpecError, match="method='radius' is not allowed"):
        psm_did(_panel(), "y", "pilot", ["size"], entity="region", time="year", method="radius")
