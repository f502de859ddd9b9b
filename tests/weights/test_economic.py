"""Economic-distance and nested weights on a three-region toy panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx import weights
from clusterdx.errors import PanelError, WeightsError

# Means over the two years: region 1 -> (0 + 2)/2 = 1, region 2 -> (1 + 3)/2 = 2, region 3 -> 4.
PANEL = pd.DataFrame(
    {
        "region": [1, 2, 3, 1, 2, 3],
        "year": [2020, 2020, 2020, 2021, 2021, 2021],
        "gdp_pc": [0.0, 1.0, 3.0, 2.0, 3.0, 5.0],
    }
)


def test_economic_distance_by_hand():
    w = weights.economic_distance(PANEL, "gdp_pc")
    # |x̄_i - x̄_j|: 1-2 = 1, 1-3 = 3, 2-3 = 2. Row 1: (1, 1/3)/(4/3) = 3/4, 1/4; row 2:
    # (1, 1/2)/(3/2) = 2/3, 1/3; row 3: (1/3, 1/2)/(5/6) = 2/5, 3/5.
    expected = [[0, 3 / 4, 1 / 4], [2 / 3, 0, 1 / 3], [2 / 5, 3 / 5, 0]]
    np.testing.assert_allclose(w.full()[0], expected, rtol=1e-12)
    assert w.id_order == [1, 2, 3]


def test_ties_raise_or_take_the_smallest_gap():
    tied = PANEL.assign(gdp_pc=[1.0, 1.0, 3.0, 1.0, 1.0, 3.0])
    with pytest.raises(WeightsError, match=r"region 1 and 2 have the same mean of 'gdp_pc' \(1\)"):
        weights.economic_distance(tied, "gdp_pc")
    w = weights.economic_distance(tied, "gdp_pc", ties="smallest", transform="none")
    # Positive gaps are 2 (1-3, 2-3); the tied pair 1-2 gets the smallest positive gap, 2.
    np.testing.assert_allclose(
        w.full()[0], [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], rtol=1e-12
    )


def test_missing_values_and_columns_are_named():
    gap = PANEL.assign(gdp_pc=[0.0, np.nan, 3.0, 2.0, 3.0, 5.0])
    with pytest.raises(
        PanelError, match=r"'gdp_pc' is missing or not numeric for region=2, year=2020"
    ):
        weights.economic_distance(gap, "gdp_pc")
    with pytest.raises(PanelError, match=r"panel lacks column\(s\) \['gdp'\]"):
        weights.economic_distance(PANEL, "gdp")


def test_nested_is_the_convex_combination():
    chain = weights.from_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), [1, 2, 3])
    econ = weights.economic_distance(PANEL, "gdp_pc")
    w = weights.nested(chain, econ, share=0.5)
    # Row 1: 0.5 * (0, 1, 0) + 0.5 * (0, 3/4, 1/4) = (0, 7/8, 1/8); row 2: 0.5 * (1/2, 0, 1/2)
    # + 0.5 * (2/3, 0, 1/3) = (7/12, 0, 5/12); row 3: 0.5 * (0, 1, 0) + 0.5 * (2/5, 3/5, 0).
    expected = [[0, 7 / 8, 1 / 8], [7 / 12, 0, 5 / 12], [1 / 5, 4 / 5, 0]]
    np.testing.assert_allclose(w.full()[0], expected, rtol=1e-12)


def test_nested_checks_share_and_ids():
    chain = weights.from_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), [1, 2, 4])
    econ = weights.economic_distance(PANEL, "gdp_pc")
    with pytest.raises(WeightsError, match=r"share .* must be in \[0, 1\]; got 1.5"):
        weights.nested(chain, econ, share=1.5)
    with pytest.raises(
        WeightsError, match=r"ids not in the weights: 4; weights ids not in the data: 3"
    ):
        weights.nested(chain, econ)
