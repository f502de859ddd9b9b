"""Firm and document reductions through the backends: identical on local and Dask, equal to pandas.

References: the in-memory pandas group-by of the whole table and DuckDB 1.x (the ``backend=None``
path of `reduce_firms`) for the firm aggregates; `keyword_intensity` on the whole table for keyword
counts (exact integers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import count_documents, keyword_intensity, reduce_firms

AGGS = {"revenue": ["sum", "mean", "min", "max", "count", "hhi"], "staff": ["sum", "count"]}
DICTIONARY = {"ai": ["人工智能", "机器学习"], "data": ["大数据", "云计算"], "chain": ["区块链"]}
SENTENCES = [
    "公司推进大数据中心建设。",
    "人工智能与机器学习。",
    "区块链试点。",
    "产能稳定。",
    "云计算",
]


@pytest.fixture(scope="module")
def firms(tmp_path_factory):
    rng = np.random.default_rng(8)
    n = 20_000
    frame = pd.DataFrame(
        {
            "region": rng.integers(11, 20, n),
            "year": rng.integers(2018, 2023, n),
            "revenue": rng.lognormal(2.0, 1.0, n),
            "staff": rng.integers(1, 500, n).astype("float64"),
        }
    )
    frame.loc[rng.choice(n, 50, replace=False), "staff"] = np.nan
    folder = tmp_path_factory.mktemp("firms")
    frame.to_parquet(folder / "firms.parquet", row_group_size=1_000)
    frame.to_csv(folder / "firms.csv", index=False)
    return frame, folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    rng = np.random.default_rng(9)
    folder = tmp_path_factory.mktemp("docs")
    rows = []
    for i in range(120):
        text = "".join(rng.choice(SENTENCES, size=rng.integers(1, 40)))
        firm, year = f"{i % 30:06d}", 2019 + i // 30
        (folder / f"{firm}_{year}.txt").write_text(text, encoding="utf-8")
        rows.append({"firm": firm, "year": year, "text": text})
    table = pd.DataFrame(rows)
    table.to_parquet(folder / "docs.parquet", row_group_size=16)
    return table, folder


@pytest.mark.slow
def test_firm_reduction_identical_on_both_backends(firms, local_pool, dask_cluster):
    frame, folder = firms
    path = folder / "firms.parquet"
    local = reduce_firms(path, AGGS, backend=local_pool, partition_rows=3_000, progress=False)
    dask = reduce_firms(path, AGGS, backend=dask_cluster, partition_rows=3_000, progress=False)
    pd.testing.assert_frame_equal(local, dask, check_exact=True)
    # against pandas on the whole table
    groups = frame.groupby(["region", "year"])
    np.testing.assert_allclose(local["revenue_sum"], groups["revenue"].sum(), rtol=1e-12)
    np.testing.assert_allclose(local["revenue_mean"], groups["revenue"].mean(), rtol=1e-12)
    np.testing.assert_array_equal(local["revenue_min"], groups["revenue"].min())
    np.testing.assert_array_equal(local["staff_count"], groups["staff"].count())
    np.testing.assert_array_equal(local["rows"], groups.size())
    hhi = groups["revenue"].apply(lambda v: (v**2).sum() / v.sum() ** 2)
    np.testing.assert_allclose(local["revenue_hhi"], hhi, rtol=1e-12)
    # and against the DuckDB query
    duck = reduce_firms(path, AGGS, progress=False)
    pd.testing.assert_frame_equal(local, duck, check_dtype=False, check_exact=False, rtol=1e-12)


@pytest.mark.slow
def test_firm_reduction_from_csv_chunks(firms, dask_cluster):
    frame, folder = firms
    got = reduce_firms(
        folder / "firms.csv",
        {"revenue": "sum"},
        backend=dask_cluster,
        partition_rows=7_000,
        progress=False,
    )
    expected = frame.groupby(["region", "year"])["revenue"].sum()
    np.testing.assert_allclose(got["revenue_sum"], expected, rtol=1e-12)


@pytest.mark.slow
def test_keyword_counts_identical_on_both_backends(documents, local_pool, dask_cluster):
    table, folder = documents
    expected = keyword_intensity(table, DICTIONARY, method="scan")
    for source in (folder, folder / "docs.parquet"):
        got = {
            backend.name: count_documents(
                source,
                DICTIONARY,
                method="scan",
                backend=backend,
                documents_per_task=25,
                progress=False,
            )
            for backend in (local_pool, dask_cluster)
        }
        pd.testing.assert_frame_equal(got["local"], got["dask"], check_exact=True)
        pd.testing.assert_frame_equal(
            got["local"].drop(columns="documents"), expected, check_exact=True, check_names=False
        )
        assert got["local"]["documents"].sum() == 120


@pytest.mark.slow
def test_jieba_counts_through_dask(documents, dask_cluster):
    table, folder = documents
    got = count_documents(
        folder, DICTIONARY, backend=dask_cluster, documents_per_task=60, progress=False
    )
    expected = keyword_intensity(table, DICTIONARY, method="jieba")
    pd.testing.assert_frame_equal(
        got.drop(columns="documents"), expected, check_exact=True, check_names=False
    )


def test_text_folder_without_backend_runs_inline(documents, capsys):
    table, folder = documents
    got = count_documents(folder, DICTIONARY, method="scan", documents_per_task=50)
    assert got["total"].sum() == keyword_intensity(table, DICTIONARY, method="scan")["total"].sum()
    assert "keyword counting [local]" in capsys.readouterr().err


def test_errors_cross_the_backend(firms, documents, tmp_path, dask_cluster, local_pool):
    frame, folder = firms
    negative = frame.assign(revenue=-frame["revenue"])
    negative.to_parquet(tmp_path / "neg.parquet")
    with pytest.raises(DataError, match=r"20000 row\(s\) with negative values in hhi columns"):
        reduce_firms(
            tmp_path / "neg.parquet", {"revenue": "hhi"}, backend=local_pool, progress=False
        )
    with pytest.raises(DataError, match=r"column\(s\) \['sales'\] absent"):
        reduce_firms(folder / "firms.parquet", {"sales": "sum"}, backend=dask_cluster)
    with pytest.raises(DataError, match="memory_limit applies to the DuckDB path"):
        reduce_firms(
            folder / "firms.parquet", {"revenue": "sum"}, memory_limit="1GB", backend=local_pool
        )
    table, _ = documents
    table.assign(text=table["text"].where(table.index != 7)).to_parquet(tmp_path / "d.parquet")
    with pytest.raises(
        DataError, match=r"text at row 'firm 000007, year 2019' is nan, not a string"
    ):
        count_documents(
            tmp_path / "d.parquet", DICTIONARY, method="scan", backend=dask_cluster, progress=False
        )
