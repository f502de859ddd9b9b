"""Obstacle degrees, coordination grades and kernel-density statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdx.disparity import density_surface, distribution_stats, obstacle_degree, top_obstacles
from clusterdx.errors import DataError
from clusterdx.indicators import COORDINATION_GRADES, coordination_grade


def test_obstacle_hand_example():
    """w = (0.5, 0.3, 0.2), x' = (0.2, 0.5, 1.0): w·(1-x') = (0.4, 0.15, 0) -> 72.73 %, 27.27 %, 0."""
    t = pd.DataFrame({"a": [0.2], "b": [0.5], "c": [1.0]})
    out = obstacle_degree(t, ["a", "b", "c"], {"a": 0.5, "b": 0.3, "c": 0.2}).iloc[0]
    assert out.a == pytest.approx(100 * 0.4 / 0.55, abs=1e-12)
    assert out.b == pytest.approx(100 * 0.15 / 0.55, abs=1e-12)
    assert out.c == 0
    top = top_obstacles(obstacle_degree(t, ["a", "b", "c"], {"a": 0.5, "b": 0.3, "c": 0.2}), 2)
    assert top.iloc[0].tolist()[::2] == ["a", "b"]


def test_obstacle_needs_standardised():
    with pytest.raises(DataError, match=r"standardised to \[0, 1\]"):
        obstacle_degree(pd.DataFrame({"a": [2.0]}), ["a"], {"a": 1.0})


def test_grades_boundaries():
    d = [0.0, 0.0999, 0.1, 0.3, 0.4999, 0.5, 0.7, 0.8999, 0.9, 1.0]
    got = coordination_grade(d).tolist()
    names = [g[1] for g in COORDINATION_GRADES]
    assert got == [
        names[0],
        names[0],
        names[1],
        names[3],
        names[4],
        names[5],
        names[7],
        names[8],
        names[9],
        names[9],
    ]
    assert [g[0] for g in COORDINATION_GRADES] == pytest.approx(np.arange(10) / 10)
    with pytest.raises(DataError, match=r"D must lie in \[0, 1\]; rows \[0\]"):
        coordination_grade([1.2])


def test_density_is_scipy_kde():
    rng = np.random.default_rng(2)
    t = pd.DataFrame({"year": np.repeat([1, 2], 40), "y": rng.normal(size=80)})
    s = density_surface(t, "y", points=64)
    ref = stats.gaussian_kde(t.y[t.year == 2].to_numpy())(s.grid)
    assert np.abs(s.density[1] - ref).max() < 1e-14
    assert np.trapezoid(s.density[0], s.grid) == pytest.approx(1, abs=1e-3)


def test_distribution_stats_detect_drift_and_peaks():
    rng = np.random.default_rng(4)
    one = rng.normal(0, 0.5, 300)
    two = np.r_[rng.normal(2, 0.3, 150), rng.normal(6, 0.3, 150)]
    t = pd.DataFrame({"year": np.repeat([1, 2], 300), "y": np.r_[one, two]})
    out = distribution_stats(t, "y")
    assert out.loc[1, "peaks"] == 1 and out.loc[2, "peaks"] == 2
    assert abs(out.loc[1, "mode"]) < 0.3
    assert out.loc[2, "mode"] == pytest.approx(2, abs=0.3) or out.loc[2, "mode"] == pytest.approx(
        6, abs=0.3
    )


def test_width_at_half_maximum_of_a_normal():
    """FWHM of N(0, 1) = 2 sqrt(2 ln 2) = 2.35482."""
    from clusterdx.disparity.kernel import _width

    grid = np.linspace(-5, 5, 100001)
    assert _width(grid, stats.norm.pdf(grid)) == pytest.approx(2 * np.sqrt(2 * np.log(2)), abs=1e-3)
