"""clusterdx.data.units: conversion factors and unit-mismatch errors."""

import pytest

from clusterdx.data.units import conversion_factor
from clusterdx.errors import DataError


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("万元", "亿元", 1e-4),
        ("亿元", "万元", 1e4),
        ("元", "亿元", 1e-8),
        ("万人", "人", 1e4),
        ("%", "1", 0.01),
    ],
)
def test_factors(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-15)


def test_dimension_mismatch():
    with pytest.raises(
        DataError,
        match=r"unit mismatch: the raw column is in '万人' \(persons\) but the "
        r"variable is stored in '亿元' \(money\)",
    ):
        conversion_factor("万人", "亿元")


def test_unknown_unit():
    with pytest.raises(
        DataError,
        match=r"unknown unit '万卢布'; known units: 元, 千元.*for a unit not listed, unit = \"1\" in "
        r"both stores the values as given",
    ):
        conversion_factor("万卢布", "亿元")


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("万美元", "亿美元", 1e-4),
        ("元/人", "万元/人", 1e-4),
        ("万元/人", "元/人", 1e4),
        ("吨", "万吨", 1e-4),
        ("千人", "万人", 0.1),
        ("km²", "平方公里", 1.0),
        ("千公顷", "平方公里", 10.0),
        ("公里", "米", 1e3),
        ("万小时", "小时", 1e4),
    ],
)
def test_open_units(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor, rel=1e-15)


def test_dollars_are_not_converted_into_yuan():
    with pytest.raises(
        DataError,
        match=r"unit mismatch: the raw column is in '万美元' \(money \(USD\)\) but the variable "
        r"is stored in '亿元' \(money\)",
    ):
        conversion_factor("万美元", "亿元")


def test_readme_lists_the_units_of_the_table():
    from clusterdx.data.units import units_listing

    from ..conftest import REPO

    assert units_listing() in (REPO / "README.md").read_text(encoding="utf-8")
