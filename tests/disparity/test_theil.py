"""Theil T / L decomposition sums exactly; CV is s / mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.disparity import coefficient_of_variation, theil
from clusterdx.errors import StudySpecError


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "year": np.repeat([2020, 2021], 31),
            "g": np.tile(np.arange(31) % 4, 2),
            "y": rng.lognormal(0, 0.6, 62),
        }
    )


@pytest.mark.parametrize("index", ["T", "L"])
def test_parts_sum_to_total(frame, index):
    out = theil(frame, "y", "g", index=index)
    assert np.abs(out.within + out.between - out.total).max() < 1e-14
    for year, part in frame.groupby("year"):
        r = part.y / part.y.mean()
        total = np.mean(r * np.log(r)) if index == "T" else np.mean(-np.log(r))
        assert out.loc[year, "total"] == pytest.approx(total, abs=1e-14)


def test_hand_example():
    """y = 1, 3 (group a), 4 (group b): mean 8/3; between T = sum S_g ln(mu_g / mu)."""
    t = pd.DataFrame({"y": [1.0, 3.0, 4.0], "g": ["a", "a", "b"]})
    out = theil(t, "y", "g", time=None).iloc[0]
    mu = 8 / 3
    between = 0.5 * np.log(2 / mu) + 0.5 * np.log(4 / mu)
    within = 0.5 * (0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)))
    assert out["between"] == pytest.approx(between, abs=1e-15)
    assert out["within"] == pytest.approx(within, abs=1e-15)


def test_bad_index():
    t = pd.DataFrame({"y": [1.0, 2.0]})
    with pytest.raises(
        StudySpecError, match=r"index='X' is not one of the allowed values \['T', 'L'\]"
    ):
        theil(t, "y", time=None, index="X")


def test_cv(frame):
    cv = coefficient_of_variation(frame, "y")
    part = frame[frame.year == 2021].y
    assert cv.loc[2021] == pytest.approx(part.std(ddof=1) / part.mean(), rel=1e-14)
