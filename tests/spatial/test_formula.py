"""`clusterdx.spatial.fit` takes the model as a formula or as y= and x=, exactly one way."""

from __future__ import annotations

import libpysal
import pandas as pd
import pytest

import clusterdx as cdx
from clusterdx.errors import ClusterDXError, OptionError


@pytest.fixture(scope="module")
def data():
    w = libpysal.weights.lat2W(5, 5)
    w.transform = "r"
    return cdx.datasets.spatial_panel(w, 5, beta=[1.0, -0.5], rho=0.4, seed=0), w


def test_a_formula_fits_the_same_model_as_y_and_x(data):
    panel, w = data
    by_formula = cdx.spatial.fit(panel, "y ~ x1 + x2", w=w, model="sdm", effects="twoways")
    by_names = cdx.spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sdm", effects="twoways")
    pd.testing.assert_series_equal(by_formula.params, by_names.params)
    assert by_formula.llf == by_names.llf


def test_the_formula_orders_the_regressors(data):
    panel, w = data
    res = cdx.spatial.fit(panel, "y ~ x2 + x1", w=w)
    assert res.params.index.tolist()[:2] == ["x2", "x1"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formula": "y ~ x1", "y": "y"}, "not both"),
        ({"formula": "y ~ x1", "x": ["x1"]}, "not both"),
        ({}, "as a formula"),
        ({"y": "y"}, "as a formula"),
        ({"x": ["x1"]}, "as a formula"),
    ],
)
def test_both_or_neither_raise_option_error(data, kwargs, match):
    panel, w = data
    with pytest.raises(OptionError, match=match):
        cdx.spatial.fit(panel, w=w, **kwargs)


def test_a_response_given_by_position_is_explained(data):
    panel, w = data
    with pytest.raises(OptionError, match="write y='y'"):
        cdx.spatial.fit(panel, "y", x=["x1"], w=w)


@pytest.mark.parametrize("formula", ["y ~ np.log(x1)", "y ~ x1 + ", "y", "y ~ x1 ~ x2"])
def test_a_formula_that_is_not_names_joined_by_plus_raises(data, formula):
    panel, w = data
    with pytest.raises(OptionError, match="formula"):
        cdx.spatial.fit(panel, formula, w=w)


def test_a_formula_naming_a_missing_column_names_it(data):
    panel, w = data
    with pytest.raises(ClusterDXError, match="nope"):
        cdx.spatial.fit(panel, "y ~ x1 + nope", w=w)
