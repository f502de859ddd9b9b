"""Tests of the agglomeration indices: LQ, Herfindahl, locational Gini, Ellison-Glaeser, density."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterdx.errors import DataError
from clusterdx.indicators import (
    ellison_glaeser,
    employment_density,
    herfindahl,
    location_quotient,
    spatial_gini,
)

LONG = pd.DataFrame(
    {
        "region": [1, 1, 2, 2],
        "industry": ["a", "b", "a", "b"],
        "year": 2020,
        "employment": [30.0, 70.0, 10.0, 90.0],
    }
)


def test_lq_worked_example():
    # region 1: (30/100) / (40/200) = 1.5; region 2: (10/100) / (40/200) = .5
    np.testing.assert_allclose(location_quotient(LONG, ["a"]).to_numpy(), [1.5, 0.5])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0.1, 1e4), min_size=2, max_size=6),
    st.floats(0.01, 100.0),
    st.lists(st.floats(0.1, 1e4), min_size=2, max_size=6),
)
def test_lq_of_region_with_national_structure_is_one(structure, size, other):
    # region 1 has the same industry mix as the nation when region 2 copies it at another size
    k = min(len(structure), len(other))
    mix = np.asarray(structure[:k])
    frame = pd.DataFrame(
        {
            "region": np.repeat([1, 2], k),
            "industry": [f"i{j}" for j in range(k)] * 2,
            "year": 2020,
            "employment": np.concatenate([mix, size * mix]),
        }
    )
    lq = location_quotient(frame, ["i0"])
    np.testing.assert_allclose(lq.to_numpy(), [1.0, 1.0], rtol=1e-9)


def test_lq_errors_name_the_problem():
    with pytest.raises(DataError, match=r"\['employment'\] absent"):
        location_quotient(LONG.drop(columns="employment"), ["a"])
    with pytest.raises(DataError, match="duplicate region-industry-year"):
        location_quotient(pd.concat([LONG, LONG.head(1)]), ["a"])
    with pytest.raises(DataError, match=r"industries \['z'\]"):
        location_quotient(LONG, ["z"])


def test_herfindahl_worked_example():
    # group 1: shares (.5, .25, .25) -> .25 + .0625 + .0625 = .375; group 2: one firm -> 1
    frame = pd.DataFrame({"r": [1, 1, 1, 2], "v": [2.0, 1.0, 1.0, 5.0]})
    np.testing.assert_allclose(herfindahl(frame, "v", "r").to_numpy(), [0.375, 1.0])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30).filter(lambda v: sum(v) > 0))
def test_herfindahl_between_one_over_n_and_one(values):
    hhi = herfindahl(pd.DataFrame({"g": 0, "v": values}), "v", "g").iloc[0]
    assert hhi >= 1.0 / len(values) - 1e-12
    assert hhi <= 1.0 + 1e-12


def test_herfindahl_errors():
    with pytest.raises(DataError, match=r"column 'v' must be a non-negative.*rows \[1\]"):
        herfindahl(pd.DataFrame({"g": [0, 0], "v": [1.0, -2.0]}), "v", "g")
    with pytest.raises(DataError, match="sums to 0"):
        herfindahl(pd.DataFrame({"g": [0, 0], "v": [0.0, 0.0]}), "v", "g")
    with pytest.raises(DataError, match=r"\['w'\] absent"):
        herfindahl(pd.DataFrame({"g": [0], "v": [1.0]}), "w", "g")


def test_spatial_gini_worked_example():
    # x = (.5, .5); industry a: s = (.2, .8), sorted by s/x: X steps .5, .5; S = .2, 1
    # G = 1 − [.5·(.2 + 0) + .5·(1 + .2)] = .3; industry b mirrors a
    frame = pd.DataFrame(
        {
            "region": [1, 2, 1, 2],
            "industry": ["a", "a", "b", "b"],
            "year": 2020,
            "employment": [2.0, 8.0, 8.0, 2.0],
        }
    )
    np.testing.assert_allclose(spatial_gini(frame).to_numpy(), [0.3, 0.3], rtol=1e-12)


def test_spatial_gini_three_regions():
    # totals r1..r3 = 10, 30, 60 -> x = (.1, .3, .6); industry a = (5, 3, 2) -> s = (.5, .3, .2)
    # s/x = 5, 1, 1/3 -> order r3, r2, r1: S = .2, .5, 1
    # G = 1 − [.6·(.2) + .3·(.5 + .2) + .1·(1 + .5)] = 1 − (.12 + .21 + .15) = .52
    frame = pd.DataFrame(
        {
            "region": [1, 2, 3, 1, 2, 3],
            "industry": ["a"] * 3 + ["b"] * 3,
            "year": 2020,
            "employment": [5.0, 3.0, 2.0, 5.0, 27.0, 58.0],
        }
    )
    np.testing.assert_allclose(spatial_gini(frame).loc[("a", 2020)], 0.52, rtol=1e-12)


def test_spatial_gini_equals_one_minus_twice_lorenz_area():
    # independent form: G = 1 − 2 ∫ S dX, the Lorenz area by numpy's trapezoid rule
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "region": np.tile(np.arange(8), 3),
            "industry": np.repeat(["a", "b", "c"], 8),
            "year": 2020,
            "employment": rng.uniform(0, 50, 24),
        }
    )
    totals = frame.groupby("region")["employment"].sum()
    x = (totals / totals.sum()).to_numpy()
    s = frame[frame["industry"] == "b"]["employment"].to_numpy()
    s = s / s.sum()
    order = np.argsort(s / x)
    cum_x = np.concatenate([[0.0], np.cumsum(x[order])])
    cum_s = np.concatenate([[0.0], np.cumsum(s[order])])
    expected = 1 - 2 * np.trapezoid(cum_s, cum_x)
    np.testing.assert_allclose(spatial_gini(frame).loc[("b", 2020)], expected, rtol=1e-12)
    with pytest.raises(DataError, match=r"\['employment'\] absent"):
        spatial_gini(frame.drop(columns="employment"))


PLANTS = pd.DataFrame(
    {
        "firm": ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"],
        "region": [1, 1, 1, 2, 1, 2, 2, 2],
        "industry": ["a"] * 4 + ["b"] * 4,
        "year": 2020,
        "employment": [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0],
    }
)


def test_ellison_glaeser_worked_example():
    # regions: r1 = 3 + 2 = 5, r2 = 1 + 6 = 7 of 12 -> x = (5/12, 7/12), 1 − Σx² = 1 − 74/144
    # industry a: s = (3/4, 1/4), G = (3/4 − 5/12)² + (1/4 − 7/12)² = 2/9, H = 4·(1/4)² = 1/4
    one = 1 - 74 / 144
    gamma_a = (2 / 9 - one * 0.25) / (one * 0.75)
    # industry b: s = (1/4, 3/4), G = (1/4 − 5/12)² + (3/4 − 7/12)² = 1/18, H = 1/4
    gamma_b = (1 / 18 - one * 0.25) / (one * 0.75)
    got = ellison_glaeser(PLANTS)
    np.testing.assert_allclose(got["G"].to_numpy(), [2 / 9, 1 / 18], rtol=1e-12)
    np.testing.assert_allclose(got["H"].to_numpy(), [0.25, 0.25], rtol=1e-12)
    np.testing.assert_allclose(got["gamma"].to_numpy(), [gamma_a, gamma_b], rtol=1e-12)
    assert got["plants"].tolist() == [4, 4]


def test_ellison_glaeser_single_plant_warns_and_is_nan():
    frame = PLANTS[PLANTS["firm"].isin(["a1", "b1", "b2"])]
    with pytest.warns(UserWarning, match="one plant"):
        got = ellison_glaeser(frame)
    assert np.isnan(got.loc[("a", 2020), "gamma"])


def test_ellison_glaeser_duplicate_plant_year():
    with pytest.raises(DataError, match="duplicate firm-year"):
        ellison_glaeser(pd.concat([PLANTS, PLANTS.head(1)]))


def test_employment_density_worked_example_and_errors():
    frame = pd.DataFrame(
        {
            "region": [1, 1, 2],
            "year": 2020,
            "employment": [30.0, 10.0, 5.0],
            "area": [8.0, 8.0, 10.0],
        }
    )
    np.testing.assert_allclose(employment_density(frame).to_numpy(), [40 / 8, 5 / 10])
    with pytest.raises(DataError, match="needs area > 0"):
        employment_density(frame.assign(area=0.0))
    with pytest.raises(DataError, match="differs within"):
        employment_density(frame.assign(area=[8.0, 9.0, 10.0]))
