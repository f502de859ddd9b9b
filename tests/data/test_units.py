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
    with pytest.raises(DataError, match=r"unknown unit '万美元'; known units: 元, 千元"):
        conversion_factor("万美元", "亿元")
