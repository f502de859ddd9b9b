"""Wild cluster bootstrap against the wildboottest package."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import EstimationError
from clusterdx.panel import fit, wild_bootstrap

sm = pytest.importorskip("statsmodels.api")
wbt = pytest.importorskip("wildboottest.wildboottest")


def _panel(n_groups: int, slope: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(n_groups), 8), "year": np.tile(np.arange(8), n_groups)}
    )
    effect = rng.normal(size=n_groups)[df["region"]]
    df["x"] = rng.normal(size=len(df)) + rng.normal(size=n_groups)[df["region"]]
    df["x2"] = rng.normal(size=len(df))
    noise = rng.normal(size=len(df)) * (1 + 0.5 * np.abs(effect))
    df["y"] = slope * df["x"] + 0.5 * df["x2"] + effect + noise
    return df


def _reference(df: pd.DataFrame, reps: int, weights: str) -> float:
    model = sm.OLS(df["y"], sm.add_constant(df[["x", "x2"]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wbt.wildboottest(model, param="x", cluster=df["region"], B=reps, seed=3, parallel=False,
                               weights_type=weights, show=False)  # fmt: skip
    return float(out["p-value"].iloc[0])


def test_full_enumeration_equals_wildboottest_exactly():
    """G = 10: all 2^10 Rademacher sign vectors, so both p-values are exact. They agree but for
    the two vectors v = ±1, which reproduce |t| itself: wildboottest counts them or not as
    rounding falls, clusterdx never does."""
    df = _panel(10, 0.15, 5)
    res = fit(df, "y ~ x + x2", entity="region", time="year", model="pooled")
    boot = wild_bootstrap(res, "x", reps=9999)
    assert boot.full_enumeration and boot.reps == 1024
    assert abs(boot.pvalue - _reference(df, 9999, "rademacher")) <= 2 / 1024 + 1e-12


@pytest.mark.slow
@pytest.mark.parametrize("weights", ["rademacher", "webb"])
def test_pvalue_agrees_with_wildboottest_within_monte_carlo_error(weights):
    df = _panel(30, 0.0, 13)
    res = fit(df, "y ~ x + x2", entity="region", time="year", model="pooled")
    boot = wild_bootstrap(res, "x", reps=9999, weights=weights, seed=1)
    ref = _reference(df, 9999, weights)
    mc_se = np.sqrt(2 * ref * (1 - ref) / 9999)
    assert 0.02 < ref < 0.98
    assert abs(boot.pvalue - ref) < 4 * mc_se


def test_confidence_interval_inverts_the_test():
    df = _panel(30, 0.0, 13)
    res = fit(df, "y ~ x + x2", entity="region", time="year", effects="twoways")
    boot = wild_bootstrap(res, "x", reps=999, seed=2)
    lower, upper = boot.conf_int
    assert lower < boot.estimate < upper
    for end in (lower, upper):
        near = [
            wild_bootstrap(res, "x", null=end + d, reps=999, seed=2).pvalue for d in (-1e-6, 1e-6)
        ]
        assert min(near) <= 0.05 < max(near) or min(near) < 0.05 <= max(near)
    same = wild_bootstrap(res, "x", reps=999, seed=2)
    assert same == boot


def test_bootstrap_errors():
    df = _panel(10, 0.1, 1)
    res = fit(df, "y ~ x", entity="region", time="year")
    with pytest.raises(
        EstimationError, match=r"param='z' is not a coefficient; use one of \['x'\]"
    ):
        wild_bootstrap(res, "z")
    with pytest.raises(EstimationError, match="cluster='sector' is neither"):
        wild_bootstrap(res, "x", cluster="sector")
