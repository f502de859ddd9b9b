"""Tests of the panel formula parser."""

from __future__ import annotations

import pytest

from clusterdx.errors import PanelError
from clusterdx.panel._formula import parse_formula

COLUMNS = ["dt", "demand", "gov"]


def test_parses_response_and_regressors_in_order():
    assert parse_formula(" dt ~ gov +demand ", COLUMNS) == ("dt", ["gov", "demand"])


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("dt demand", "exactly one '~'"),
        ("dt ~ demand ~ gov", "exactly one '~'"),
        ("dt ~ ", "needs a response"),
        ("dt ~ demand + ", "needs a response"),
        ("dt ~ demand + demand", r"repeats the regressors \['demand'\]"),
        ("dt ~ dt + gov", "uses the response 'dt' as a regressor"),
        ("dt ~ demand + capital + labour", r"names \['capital', 'labour'\]"),
    ],
)
def test_bad_formulas_name_the_problem(formula, message):
    with pytest.raises(PanelError, match=message):
        parse_formula(formula, COLUMNS)
