"""Dagum (1997) Gini decomposition: brute force of the published formulas and a hand-worked example."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from clusterdx.disparity import dagum_gini
from clusterdx.errors import DataError


def brute_dagum(y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Dagum (1997) formulas as written: explicit double loops over every pair of values."""
    n, mean = len(y), y.mean()
    total = sum(abs(a - b) for a in y for b in y) / (2 * n * n * mean)
    groups = {k: y[g == k] for k in np.unique(g)}
    order = sorted(groups, key=lambda k: groups[k].mean())
    p = {k: len(v) / n for k, v in groups.items()}
    s = {k: len(v) * v.mean() / (n * mean) for k, v in groups.items()}
    g_w = 0.0
    for k, v in groups.items():
        gjj = sum(abs(a - b) for a in v for b in v) / (2 * len(v) ** 2 * v.mean())
        g_w += gjj * p[k] * s[k]
    g_nb = g_t = 0.0
    for h, j in itertools.combinations(order, 2):  # mean of j >= mean of h
        yj, yh = groups[j], groups[h]
        gjh = sum(abs(a - b) for a in yj for b in yh) / (
            len(yj) * len(yh) * (yj.mean() + yh.mean())
        )
        d = sum(max(a - b, 0) for a in yj for b in yh) / (len(yj) * len(yh))
        pt = sum(max(b - a, 0) for a in yj for b in yh) / (len(yj) * len(yh))
        big_d = (d - pt) / (d + pt)
        weight = p[j] * s[h] + p[h] * s[j]
        g_nb += gjh * weight * big_d
        g_t += gjh * weight * (1 - big_d)
    return {"G": total, "G_w": g_w, "G_nb": g_nb, "G_t": g_t}


def test_equals_brute_force_by_year():
    rng = np.random.default_rng(7)
    rows = []
    for year in (2020, 2021, 2022):
        for i in range(31):
            group = ["east", "central", "west", "northeast"][i % 4]
            rows.append((year, group, rng.lognormal(0.3 * (i % 4), 0.5)))
    frame = pd.DataFrame(rows, columns=["year", "macro_region", "dt"])
    res = dagum_gini(frame, "dt", "macro_region")
    for year, part in frame.groupby("year"):
        expected = brute_dagum(part.dt.to_numpy(), part.macro_region.to_numpy())
        for key, value in expected.items():
            assert abs(res.summary.loc[year, key] - value) < 1e-12
        assert abs(res.summary.loc[year, ["G_w", "G_nb", "G_t"]].sum() - expected["G"]) < 1e-12
        shares = res.summary.loc[year, ["share_w", "share_nb", "share_t"]].sum()
        assert abs(shares - 1) < 1e-12


def test_hand_worked_example():
    """a = {1, 4}, b = {2, 6}: n = 4, mean 13/4.

    G   = sum over ordered pairs |y_i - y_r| / (2 n^2 mean) = 34 / (2·16·3.25) = 17/52
    G_aa = 6 / (2·4·2.5) = 0.3, G_bb = 8 / (2·4·4) = 0.25; p = 1/2, s_a = 5/13, s_b = 8/13
    G_w = 0.5·(0.3·5/13 + 0.25·8/13) = 7/52
    b - a pairs: 1, -2, 5, 2 -> d_ba = 8/4 = 2, p_ba = 2/4 = 0.5, D_ba = 1.5/2.5 = 0.6
    G_ba = 10 / (2·2·6.5) = 5/13; weight = p_b s_a + p_a s_b = 1/2
    G_nb = 5/13 · 1/2 · 0.6 = 6/52, G_t = 5/13 · 1/2 · 0.4 = 4/52
    """
    frame = pd.DataFrame({"y": [1.0, 4.0, 2.0, 6.0], "g": ["a", "a", "b", "b"]})
    res = dagum_gini(frame, "y", "g", time=None)
    row = res.summary.iloc[0]
    assert pytest.approx(17 / 52, abs=1e-15) == row.G
    assert row.G_w == pytest.approx(7 / 52, abs=1e-15)
    assert row.G_nb == pytest.approx(6 / 52, abs=1e-15)
    assert row.G_t == pytest.approx(4 / 52, abs=1e-15)
    assert res.within.loc[("all", "a"), "G_jj"] == pytest.approx(0.3, abs=1e-15)
    assert res.between.loc[("all", "b-a"), "D_jh"] == pytest.approx(0.6, abs=1e-15)
    assert res.between.loc[("all", "b-a"), "G_jh"] == pytest.approx(5 / 13, abs=1e-15)


def test_no_overlap_has_no_transvariation():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "g": ["a", "a", "b", "b"]})
    row = dagum_gini(frame, "y", "g", time=None).summary.iloc[0]
    assert row.G_t == 0.0
    assert pytest.approx(1 / 3, abs=1e-15) == row.G


def test_non_positive_value_is_named():
    frame = pd.DataFrame({"y": [1.0, -2.0], "g": ["a", "b"]})
    with pytest.raises(
        DataError, match=r"dagum_gini: column 'y' must be finite and > 0; rows \[1\]"
    ):
        dagum_gini(frame, "y", "g", time=None)
