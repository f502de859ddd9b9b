"""clusterdx.spatial.spatial_did: recovery of known direct and spillover treatment effects.

Reference: the true effects of the simulated process, tr(S_D)/N and ι'S_D ι/N − tr(S_D)/N with
S_D = (I − ρW)^{-1}(δ I + γ W) computed densely here (LeSage & Pace 2009, §2.7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import EstimationError, PanelError
from clusterdx.spatial import spatial_did

libpysal = pytest.importorskip("libpysal")

DELTA, GAMMA, RHO = 1.0, 0.5, 0.3


def _simulate(side: int, t: int, seed: int):
    """SDM-DID with two-way effects, staggered adoption (periods 3 and 5) of about half the units."""
    w = libpysal.weights.lat2W(side, side)
    w.transform = "r"
    n = side * side
    rng = np.random.default_rng(seed)
    first = np.where(rng.uniform(size=n) < 0.5, rng.choice([3.0, 5.0], size=n), np.nan)
    d = (np.arange(t)[None, :] >= first[:, None]).astype(float)
    x = rng.normal(size=(n, t))
    wf = w.full()[0]
    signal = DELTA * d + GAMMA * (wf @ d) + 0.5 * x - 0.2 * (wf @ x)
    noise = rng.normal(size=(n, 1)) + rng.normal(size=(1, t)) + rng.normal(0, 0.5, (n, t))
    y = np.linalg.solve(np.eye(n) - RHO * wf, signal + noise)
    panel = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), t),
            "year": np.tile(np.arange(2010, 2010 + t), n),
            "pilot": np.repeat(first + 2010, t),
            "x": x.ravel(),
            "y": y.ravel(),
        }
    )
    s = np.linalg.inv(np.eye(n) - RHO * wf) @ (DELTA * np.eye(n) + GAMMA * wf)
    direct, total = np.trace(s) / n, s.sum() / n
    return w, panel, {"direct": direct, "indirect": total - direct, "total": total}


def test_recovers_direct_and_spillover_effects():
    w, panel, truth = _simulate(15, 10, seed=7)
    res = spatial_did(
        panel, "y", "pilot", w, entity="unit", time="year", controls=["x"], draws=200, seed=0
    )
    eff = res.effects
    assert eff.index.tolist() == ["direct", "indirect", "total"]
    assert eff.columns.tolist() == ["est", "se", "z", "p"]
    for kind, value in truth.items():
        # within 3 simulated standard errors, and the errors are of the size an N = 225 panel gives
        assert abs(eff.loc[kind, "est"] - value) < 3 * eff.loc[kind, "se"], kind
    assert eff.loc["direct", "se"] < 0.06 and eff.loc["indirect", "se"] < 0.2
    assert res.fit.params.index.tolist()[:4] == ["treat_post", "x", "W_treat_post", "W_x"]
    assert res.n_treated == int(panel.groupby("unit")["pilot"].first().notna().sum())
    # the effects are the impacts of the SDM's treatment indicator
    pd.testing.assert_series_equal(
        eff["est"], res.fit.impacts(200, 0).loc["treat_post"].xs("est", level="stat"),
        check_names=False,
    )  # fmt: skip


def test_monte_carlo_mean_is_unbiased():
    # four seeded replications: the mean estimate lies within 2.5 standard errors of the mean
    est = []
    for seed in range(4):
        w, panel, truth = _simulate(10, 8, seed=seed)
        res = spatial_did(
            panel, "y", "pilot", w, entity="unit", time="year", controls=["x"], draws=20
        )
        est.append(res.effects["est"])
    est = pd.DataFrame(est)
    spread = est.std(ddof=1) / np.sqrt(len(est))
    for kind, value in truth.items():
        assert abs(est[kind].mean() - value) < 2.5 * spread[kind] + 0.05, kind


def test_errors_name_the_problem():
    w, panel, _ = _simulate(5, 6, seed=0)
    with pytest.raises(PanelError, match=r"^column 'start' is not in the panel"):
        spatial_did(panel, "y", "start", w, entity="unit", time="year")
    with pytest.raises(EstimationError, match=r"omits 'treat_post'"):
        spatial_did(
            panel, "y", "pilot", w, entity="unit", time="year", controls=["x"], durbin=["x"]
        )
    never = panel.assign(pilot=np.nan)
    with pytest.raises(EstimationError, match=r"is 0 in every row"):
        spatial_did(never, "y", "pilot", w, entity="unit", time="year")
    with pytest.raises(PanelError, match=r"already has a column 'treat_post'"):
        spatial_did(panel.assign(treat_post=1.0), "y", "pilot", w, entity="unit", time="year")
