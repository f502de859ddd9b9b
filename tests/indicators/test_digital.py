"""Tests of the keyword-based digital transformation measure (Wu et al. 2021)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import (
    KeywordCounter,
    keyword_intensity,
    load_dictionary,
    regional_intensity,
)

SMALL = {"bigdata": ["大数据"], "app": ["移动互联", "移动互联网", "B2B"], "cloud": ["云计算"]}
METHODS = ["jieba", "scan"]


@pytest.fixture(scope="module", params=METHODS)
def counter(request):
    return KeywordCounter(SMALL, request.param)


def test_default_dictionary_has_the_five_dimensions():
    dictionary = load_dictionary()
    assert list(dictionary) == ["ai", "blockchain", "cloud", "bigdata", "application"]
    assert "大数据" in dictionary["bigdata"]
    assert "人工智能" in dictionary["ai"]


def test_keyword_inside_ordinary_word_counts_once(counter):
    # "大数据中心" is not a keyword: it holds one 大数据
    assert counter.count("建设大数据中心").tolist() == [1, 0, 0]


def test_longest_keyword_wins_no_double_count(counter):
    # 移动互联 is nested in 移动互联网: one application keyword, not two
    assert counter.count("发展移动互联网平台").tolist() == [0, 1, 0]
    assert counter.tokens("发展移动互联网平台") == ["移动互联网"]


def test_case_insensitive_latin_keywords(counter):
    assert counter.count("拓展b2b与B2B业务、云计算").tolist() == [0, 2, 1]


def test_methods_differ_only_in_context():
    # jieba reads 互联网 + 联盟 and finds no 网联; the scan finds it inside the string
    dictionary = {"app": ["网联"]}
    assert KeywordCounter(dictionary, "jieba").count("互联网联盟").tolist() == [0]
    assert KeywordCounter(dictionary, "scan").count("互联网联盟").tolist() == [1]


@pytest.mark.parametrize("method", METHODS)
def test_firm_year_intensity_worked_example(method):
    texts = pd.DataFrame(
        {
            "firm": ["F1", "F1", "F2"],
            "year": [2020, 2020, 2020],
            "text": ["大数据与云计算", "大数据中心", "传统制造"],
        }
    )
    got = keyword_intensity(texts, SMALL, method=method)
    # F1: 大数据 ×2 + 云计算 ×1 over its two documents = 3 -> ln 4; F2: 0 -> ln 1 = 0
    assert got.loc[("F1", 2020), ["bigdata", "app", "cloud", "total"]].tolist() == [2, 0, 1, 3]
    np.testing.assert_allclose(got["intensity"].to_numpy(), [math.log(4), 0.0])


def test_series_input_keeps_index():
    got = keyword_intensity(pd.Series(["云计算", "无"], index=["d1", "d2"]), SMALL, method="scan")
    assert got.index.tolist() == ["d1", "d2"]
    assert got["total"].tolist() == [1, 0]


def test_regional_mean_and_revenue_weighted():
    firm_year = pd.DataFrame(
        {
            "region": [1, 1, 2],
            "year": 2020,
            "intensity": [1.0, 3.0, 2.0],
            "revenue": [3.0, 1.0, 5.0],
        }
    )
    got = regional_intensity(firm_year, weight="revenue")
    # region 1: mean (1 + 3)/2 = 2, weighted (3·1 + 1·3)/4 = 1.5; region 2: 2 and 2
    np.testing.assert_allclose(got["mean"].to_numpy(), [2.0, 2.0])
    np.testing.assert_allclose(got["weighted"].to_numpy(), [1.5, 2.0])
    assert got["firms"].tolist() == [2, 1]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(DataError, match=r"row 1 .* not a string"):
        keyword_intensity(pd.Series(["云计算", None]), SMALL, method="scan")
    with pytest.raises(DataError, match=r"\['firm'\] absent"):
        keyword_intensity(pd.DataFrame({"text": ["a"], "year": [1]}), SMALL, method="scan")
    with pytest.raises(DataError, match="listed under both 'a' and 'b'"):
        KeywordCounter({"a": ["云计算"], "b": ["云计算"]}, "scan")
    with pytest.raises(DataError, match=r"\['jieba', 'scan'\]"):
        KeywordCounter(SMALL, "regex")
    bad = tmp_path / "dict.json"
    bad.write_text(json.dumps({"ai": ["人工智能"]}), encoding="utf-8")
    with pytest.raises(DataError, match="'dimensions'"):
        load_dictionary(bad)
    with pytest.raises(DataError, match="'revenue' is missing or negative"):
        regional_intensity(
            pd.DataFrame({"region": [1], "year": [1], "intensity": [1.0], "revenue": [-1.0]}),
            weight="revenue",
        )
