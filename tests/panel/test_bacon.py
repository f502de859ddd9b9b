"""Goodman-Bacon decomposition: weights sum to one and reproduce the TWFE estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import EstimationError
from clusterdx.panel import did
from clusterdx.panel.bacon import bacon_decomposition


def _staggered(never: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 40
    df = pd.DataFrame(
        {"region": np.repeat(np.arange(n), 10), "year": np.tile(range(2010, 2020), n)}
    )
    cohorts = np.array([2013, 2015, 2017, np.inf if never else 2012])
    df["g"] = cohorts[df["region"] % 4]
    effect = (df["year"] >= df["g"]) * (1 + 0.3 * (df["year"] - df["g"]).clip(lower=0))
    alpha = rng.normal(size=n)[df["region"]]
    df["y"] = effect + alpha + 0.1 * df["year"] + rng.normal(0, 0.5, len(df))
    return df


@pytest.mark.parametrize("never", [True, False])
def test_weights_sum_to_one_and_reproduce_twfe(never):
    df = _staggered(never)
    table = bacon_decomposition(df, "y", "g", entity="region", time="year")
    assert table["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    twfe = did(df.assign(g=df["g"].replace(np.inf, np.nan)), "y", "g", entity="region", time="year")
    assert (table["estimate"] * table["weight"]).sum() == pytest.approx(
        twfe.params["treat_post"], rel=1e-10
    )
    assert set(table["type"]) == (
        {"treated vs never", "earlier vs later", "later vs earlier"}
        if never
        else {"earlier vs later", "later vs earlier"}
    )


def test_two_by_two_estimate_equals_did_on_the_subsample():
    df = _staggered(True)
    table = bacon_decomposition(df, "y", "g", entity="region", time="year")
    row = table[(table["type"] == "treated vs never") & (table["treated"] == 2015)].iloc[0]
    sub = df[df["g"].isin([2015, np.inf])].assign(g=lambda f: f["g"].replace(np.inf, np.nan))
    ref = did(sub, "y", "g", entity="region", time="year")
    assert row["estimate"] == pytest.approx(ref.params["treat_post"], rel=1e-10)


def test_always_treated_rejected():
    df = _staggered(True).assign(g=lambda f: f["g"].replace(2013, 2010))
    with pytest.raises(EstimationError, match="always treated"):
        bacon_decomposition(df, "y", "g", entity="region", time="year")
