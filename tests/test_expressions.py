"""clusterdx.expressions: the formula grammar evaluates arithmetic on the panel and refuses the rest."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError, StudySpecError
from clusterdx.expressions import FUNCTIONS, evaluate, parse, parse_model_formula

from .conftest import REPO

HINT = (
    "formulas use column names, numbers, + - * / **, comparisons and the functions log, log1p, "
    "exp, sqrt, abs, min, max, where, lag, lead, diff"
)


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["A", "A", "A", "B", "B", "B"],
            "year": [2019, 2020, 2022, 2019, 2020, 2021],
            "gdp": [10.0, 12.0, 15.0, 6.0, 9.0, 8.0],
            "人口": [2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
        }
    )


def test_arithmetic_precedence_and_functions(panel):
    gdp, pop = panel["gdp"].to_numpy(), panel["人口"].to_numpy()
    np.testing.assert_allclose(evaluate("-gdp ** 2 / 人口 + 1", panel), -(gdp**2) / pop + 1)
    np.testing.assert_allclose(evaluate("2 ** -1 * gdp", panel), 0.5 * gdp)
    np.testing.assert_allclose(evaluate("log(gdp / 人口)", panel), np.log(gdp / pop))
    np.testing.assert_allclose(evaluate("log1p(gdp) - exp(1)", panel), np.log1p(gdp) - np.e)
    np.testing.assert_allclose(evaluate("sqrt(abs(-gdp))", panel), np.sqrt(gdp))
    np.testing.assert_allclose(evaluate("max(gdp, 9) + min(gdp, 9)", panel), gdp + 9)
    np.testing.assert_allclose(
        evaluate("where(gdp >= 10, gdp, 0)", panel), np.where(gdp >= 10, gdp, 0)
    )
    np.testing.assert_allclose(evaluate("1.5e1 + (gdp != 9)", panel), 15 + (gdp != 9))


def test_lag_lead_diff_follow_calendar_years_within_region(panel):
    # A has 2019, 2020, 2022: 2022's lag (2021) is absent; B's first year has no lag.
    lagged = evaluate("lag(gdp)", panel)
    np.testing.assert_array_equal(lagged, [np.nan, 10.0, np.nan, np.nan, 6.0, 9.0])
    np.testing.assert_array_equal(
        evaluate("lag(gdp, 2)", panel), [np.nan, np.nan, 12.0, np.nan, np.nan, 6.0]
    )
    np.testing.assert_array_equal(
        evaluate("lead(gdp)", panel), [12.0, np.nan, np.nan, 9.0, 8.0, np.nan]
    )
    np.testing.assert_array_equal(
        evaluate("diff(gdp)", panel), [np.nan, 2.0, np.nan, np.nan, 3.0, -1.0]
    )


@pytest.mark.parametrize(
    ("formula", "token", "position", "why"),
    [
        ('gdp.__class__.__init__.__globals__["sys"]', ".", 4, "attribute access is not allowed"),
        ('gdp.to_frame().to_csv("/tmp/x")', ".", 4, "attribute access is not allowed"),
        ("@gdp", "@", 1, "'@' (local variables) is not allowed"),
        ("gdp[0]", "[", 4, "subscripts are not allowed"),
        ('gdp + "1"', '"', 7, "strings are not allowed"),
        ("log(gdp, base=2)", "=", 14, "assignment and keyword arguments are not allowed"),
        ("lambda: 1", "lambda", 1, "Python keywords are not allowed"),
        ("__import__(gdp)", "__import__", 1, "this function is not allowed"),
        ("eval(gdp)", "eval", 1, "this function is not allowed"),
        ("gdp @ gdp", "@", 5, "'@' (local variables) is not allowed"),
        ("gdp ^ 2", "^", 5, "'^' is not allowed; write powers as **"),
        ("log(gdp, 人口)", "log", 1, "takes 1 argument(s), got 2"),
        ("lag(gdp, 0.5)", "lag", 1, "k must be a whole number of years >= 1"),
        ("gdp gdp", "gdp", 5, "expected an operator or the end of the formula"),
        ("1 < gdp < 2", "<", 9, "chained comparisons are not allowed"),
    ],
)
def test_refused_with_the_token_and_its_position(formula, token, position, why):
    expected = f"formula {formula!r}: {token!r} at position {position}: {why}; {HINT}"
    with pytest.raises(StudySpecError) as info:
        parse(formula)
    assert str(info.value) == expected


def test_unknown_and_text_columns_are_data_errors(panel):
    with pytest.raises(DataError) as info:
        evaluate("gdp / pop", panel)
    assert str(info.value) == (
        "formula 'gdp / pop' names ['pop'], which are not columns of the panel (variables or "
        "earlier indicators); available: ['gdp', 'region', 'year', '人口']"
    )
    with pytest.raises(DataError, match=re.escape("column 'region' is not numeric")):
        evaluate("region + 1", panel)


def test_unfinished_formula():
    with pytest.raises(StudySpecError) as info:
        parse("log(gdp")
    assert str(info.value) == (
        f"formula 'log(gdp': unexpected end of formula: expected ',' or ')' in the argument list; {HINT}"
    )


def test_model_formula_grammar():
    assert parse_model_formula(" dt~demand+ 政府 ") == ("dt", ["demand", "政府"])
    for bad, term, pos in [
        ("dt ~ x.__class__", "x.__class__", 6),
        ("dt ~ C(x)", "C(x)", 6),
        ("dt ~ a + ", "", 10),
        ("np.log(dt) ~ a", "np.log(dt)", 1),
    ]:
        shown = f"{term!r} at position {pos}" if term else f"an empty term at position {pos}"
        with pytest.raises(StudySpecError) as info:
            parse_model_formula(bad)
        assert str(info.value) == (
            f"model formula {bad!r}: {shown} is not a column name; write 'y ~ a + b' with column "
            "names only (transformations go into [indicators])"
        )


def test_readme_lists_every_function():
    """README's "Formula grammar" section lists exactly the functions of `FUNCTIONS`."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Formula grammar")[1].split("\n#")[0]
    listed = re.findall(r"^\| `(\w+)\(", section, flags=re.MULTILINE)
    assert listed == list(FUNCTIONS)


def test_comparisons_with_missing_values_stay_missing(panel):
    frame = panel.assign(gdp=[np.nan, 1.0, 2.0, 3.0, 4.0, 5.0])
    got = evaluate("where(gdp > 2, 1, 0) + (gdp == 1)", frame)
    np.testing.assert_array_equal(got, [np.nan, 1.0, 0.0, 1.0, 1.0, 1.0])


def test_deep_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(StudySpecError, match="nests deeper than 50 levels"):
        parse("(" * 60 + "gdp" + ")" * 60)
    assert parse("-" * 500 + "gdp").kind == "unary"
