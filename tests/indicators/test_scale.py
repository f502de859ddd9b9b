"""Tests of the DuckDB reductions: equal to the in-memory pandas functions, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import (
    count_documents,
    herfindahl,
    keyword_intensity,
    location_quotient,
    lq_from_file,
    reduce_firms,
)


@pytest.fixture(scope="module")
def firms(tmp_path_factory):
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "region": rng.integers(1, 6, n),
            "year": rng.integers(2020, 2023, n),
            "industry": rng.choice(["13", "14", "39"], n),
            "revenue": rng.uniform(0, 100, n),
        }
    )
    path = tmp_path_factory.mktemp("scale") / "firms.parquet"
    frame.to_parquet(path)
    return frame, path


def test_reduce_firms_hand_example(tmp_path):
    # region 1: revenue 1 + 3 = 4, HHI = (1² + 3²)/4² = .625; region 2: 2, HHI 1
    path = tmp_path / "f.csv"
    pd.DataFrame({"region": [1, 1, 2], "year": 2020, "revenue": [1.0, 3.0, 2.0]}).to_csv(path)
    got = reduce_firms(path, {"revenue": ["sum", "hhi"]}, progress=False)
    np.testing.assert_allclose(got["revenue_sum"].to_numpy(), [4.0, 2.0])
    np.testing.assert_allclose(got["revenue_hhi"].to_numpy(), [0.625, 1.0])
    assert got["rows"].tolist() == [2, 1]


def test_reduce_firms_equals_pandas(firms):
    frame, path = firms
    got = reduce_firms(path, {"revenue": ["sum", "mean", "hhi"]}, progress=False)
    expected = frame.groupby(["region", "year"])["revenue"]
    np.testing.assert_allclose(got["revenue_sum"], expected.sum(), rtol=1e-10)
    np.testing.assert_allclose(got["revenue_mean"], expected.mean(), rtol=1e-10)
    hhi = herfindahl(frame, "revenue", ["region", "year"])
    np.testing.assert_allclose(got["revenue_hhi"], hhi, rtol=1e-10)


def test_lq_from_file_equals_location_quotient(firms):
    frame, path = firms
    cells = frame.groupby(["region", "industry", "year"], as_index=False)["revenue"].sum()
    expected = location_quotient(cells, ["39"], value="revenue")
    got = lq_from_file(path, ["39"], value="revenue", progress=False)
    np.testing.assert_allclose(got.to_numpy(), expected.sort_index().to_numpy(), rtol=1e-10)


def test_count_documents_streams_like_in_memory(tmp_path):
    texts = pd.DataFrame(
        {
            "firm": ["F1", "F2", "F1", "F3", "F2"],
            "year": [2020, 2020, 2020, 2021, 2021],
            "text": ["大数据与云计算", "区块链", "大数据中心", "无", "人工智能和机器学习"],
        }
    )
    path = tmp_path / "docs.parquet"
    texts.to_parquet(path)
    got = count_documents(path, method="scan", batch_size=2, progress=False)
    expected = keyword_intensity(texts, method="scan")
    pd.testing.assert_frame_equal(
        got.drop(columns="documents").sort_index(), expected.sort_index(), check_names=False
    )
    assert got.loc[("F1", 2020), "documents"] == 2


def test_errors(firms, tmp_path):
    _, path = firms
    with pytest.raises(DataError, match=r"\['sales'\] absent"):
        reduce_firms(path, {"sales": "sum"}, progress=False)
    with pytest.raises(DataError, match="not allowed"):
        reduce_firms(path, {"revenue": "median"}, progress=False)
    with pytest.raises(DataError, match="does not exist"):
        reduce_firms(tmp_path / "none.parquet", {"revenue": "sum"})
    with pytest.raises(DataError, match=r"industries \['99'\]"):
        lq_from_file(path, ["99"], value="revenue", progress=False)
