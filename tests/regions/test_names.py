"""Suffix stripping and pinyin romanisation of Chinese region names."""

from __future__ import annotations

import pytest

from clusterdx.regions.names import base_name, pinyin_name


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("广东省", "广东"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("延边朝鲜族自治州", "延边"),
        ("恩施土家族苗族自治州", "恩施"),
        ("乐东黎族自治县", "乐东"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("大兴安岭地区", "大兴安岭"),
        ("沙市区", "沙市"),
        ("城区", "城区"),
    ],
)
def test_base_name(name, stem):
    assert base_name(name) == stem


@pytest.mark.parametrize(
    ("name", "expected"),
    # Official romanisations (GB/T 16159-2012 apostrophe rule): Xi'an, Lu'an, Bengbu, Changsha.
    [
        ("西安市", "Xi'an"),
        ("六安市", "Lu'an"),
        ("蚌埠市", "Bengbu"),
        ("长沙市", "Changsha"),
        ("海淀区", "Haidian"),
    ],
)
def test_pinyin_name(name, expected):
    pytest.importorskip("pypinyin", reason="pinyin names are a build-time feature")
    assert pinyin_name(name) == expected


def test_float_codes_from_spreadsheets_are_read_as_codes():
    from clusterdx.regions import lookup

    assert lookup(440000.0) == 440000
    assert lookup("440000.0") == 440000
