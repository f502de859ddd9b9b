"""clusterdx.compute.partitions: row-group slices, CSV chunks, text-file groups, read back exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.compute import (
    ParquetSlice,
    TextFiles,
    read_partition,
    table_partitions,
    text_partitions,
)
from clusterdx.compute.partitions import columns_of, firm_year_of
from clusterdx.errors import DataError


@pytest.fixture
def table():
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {"region": rng.integers(1, 9, 1000), "year": 2020, "value": rng.normal(size=1000)}
    )


def test_parquet_slices_follow_row_groups(table, tmp_path):
    path = tmp_path / "t.parquet"
    table.to_parquet(path, row_group_size=100)
    parts = table_partitions(path, 250)
    # 10 row groups of 100 rows, at most 250 rows a partition: 2 groups each
    assert [p.groups for p in parts] == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert all(isinstance(p, ParquetSlice) and p.rows == 200 for p in parts)
    back = pd.concat([read_partition(p, ["region", "value"]) for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(back, table[["region", "value"]])


def test_parquet_glob_and_oversized_row_group(table, tmp_path):
    table.iloc[:600].to_parquet(tmp_path / "a.parquet")
    table.iloc[600:].to_parquet(tmp_path / "b.parquet")
    with pytest.warns(
        UserWarning, match=r"a.parquet: row group 0 has 600 rows.*row_group_size=100"
    ):
        parts = table_partitions(tmp_path / "*.parquet", 100)
    assert [p.rows for p in parts] == [600, 400]
    assert columns_of(tmp_path / "*.parquet") == ["region", "year", "value"]


def test_csv_chunks_are_lazy_and_parse_quoted_line_breaks(tmp_path):
    path = tmp_path / "docs.csv"
    frame = pd.DataFrame({"firm": ["a", "b", "c"], "year": 2021, "text": ["x\ny", "z", '"q"\n']})
    frame.to_csv(path, index=False, encoding="gbk")
    parts = table_partitions(path, 2, ["firm", "text"], encoding="gbk")
    assert not isinstance(parts, list)
    chunks = list(parts)
    assert [len(c) for c in chunks] == [2, 1]
    assert pd.concat(chunks)["text"].tolist() == ["x\ny", "z", '"q"\n']


def test_text_files_grouped_and_named(tmp_path):
    (tmp_path / "600519_2021.txt").write_text("大数据", encoding="utf-8")
    (tmp_path / "A_B_2020.txt").write_bytes("云计算".encode("gbk"))
    (tmp_path / "other.csv").write_text("ignored")
    parts = text_partitions(tmp_path, 1)
    assert [len(p.paths) for p in parts] == [1, 1]
    frame = pd.concat([read_partition(p) for p in parts], ignore_index=True)
    assert frame.to_dict("list") == {
        "firm": ["600519", "A_B"],
        "year": [2021, 2020],
        "text": ["大数据", "云计算"],
    }


def test_partition_errors(tmp_path, table):
    with pytest.raises(DataError, match=r"report\.txt: name it <firm>_<year>\.txt"):
        firm_year_of(str(tmp_path / "report.txt"))
    with pytest.raises(DataError, match=r"holds no \.txt file"):
        text_partitions(tmp_path, 10)
    with pytest.raises(DataError, match="no file matches"):
        table_partitions(tmp_path / "*.parquet", 10)
    with pytest.raises(DataError, match=r"use a \.parquet or \.csv file"):
        (tmp_path / "t.xlsx").write_bytes(b"")
        table_partitions(tmp_path / "t.xlsx", 10)
    table.to_parquet(tmp_path / "t.parquet")
    table.to_csv(tmp_path / "t.csv")
    with pytest.raises(DataError, match="mixes Parquet and CSV"):
        table_partitions(tmp_path / "t.[pc]*", 10)
    with pytest.raises(DataError, match="partition size must be >= 1"):
        table_partitions(tmp_path / "t.parquet", 0)
    (tmp_path / "bad_2020.txt").write_bytes(b"\xff\xfe\xfa\xfb" * 3)
    with pytest.raises(DataError, match="neither UTF-8 nor GB18030"):
        read_partition(TextFiles((str(tmp_path / "bad_2020.txt"),)))
