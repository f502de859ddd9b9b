"""Inverse-distance and k-nearest-neighbour weights on a toy geometry along the equator.

Three points on the equator at longitudes 0, 1 and 3 degrees: great-circle distances are
a = R·π/180, 2a and 3a (R = 6371.0088 km, a = 111.195 km), so every weight is a small fraction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clusterdx import weights
from clusterdx.errors import WeightsError

TOY = pd.DataFrame({"code": [1, 2, 3], "lon": [0.0, 1.0, 3.0], "lat": [0.0, 0.0, 0.0]})
A = 6371.0088 * math.pi / 180


def test_inverse_distance_row_standardised():
    w = weights.inverse_distance(TOY)
    # row 1: (1/a, 1/3a) / (4/3a) = 3/4, 1/4; row 2: (1/a, 1/2a) / (3/2a) = 2/3, 1/3;
    # row 3: (1/3a, 1/2a) / (5/6a) = 2/5, 3/5.
    expected = [[0, 3 / 4, 1 / 4], [2 / 3, 0, 1 / 3], [2 / 5, 3 / 5, 0]]
    np.testing.assert_allclose(w.full()[0], expected, rtol=1e-9)


def test_inverse_distance_raw_power_two_and_cutoff():
    raw = weights.inverse_distance(TOY, power=2, transform="none").full()[0]
    np.testing.assert_allclose(raw[0], [0, A**-2, (3 * A) ** -2], rtol=1e-9)
    # A 250 km band keeps 1-2 (a = 111 km) and 2-3 (2a = 222 km), drops 1-3 (3a = 334 km).
    banded = weights.inverse_distance(TOY, cutoff=250, transform="b").full()[0]
    np.testing.assert_array_equal(banded, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])


def test_knn_is_asymmetric_and_check_warns():
    w = weights.knn(TOY, k=1)
    # nearest: 1 -> 2 (a), 2 -> 1 (a < 2a), 3 -> 2 (2a < 3a).
    np.testing.assert_array_equal(w.full()[0], [[0, 1, 0], [1, 0, 0], [0, 1, 0]])
    with pytest.warns(
        UserWarning, match=r"not symmetric: 1 link\(s\) i->j without j->i, e.g. \(3, 2\)"
    ):
        weights.check(w)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"power": 0}, r"power must be > 0; got 0"),
        ({"cutoff": -5}, r"cutoff must be a positive distance in km or None; got -5"),
    ],
)
def test_inverse_distance_bad_arguments(kwargs, message):
    with pytest.raises(WeightsError, match=message):
        weights.inverse_distance(TOY, **kwargs)


def test_same_point_and_bad_k_are_named():
    twin = TOY.assign(lon=[0.0, 0.0, 3.0])
    with pytest.raises(WeightsError, match=r"regions 1 and 2 have the same lon/lat"):
        weights.inverse_distance(twin)
    with pytest.raises(WeightsError, match=r"k must be an integer between 1 and 2"):
        weights.knn(TOY, k=3)
    with pytest.raises(WeightsError, match=r"lacks column\(s\) \['lat'\]"):
        weights.inverse_distance(TOY.drop(columns="lat"))
