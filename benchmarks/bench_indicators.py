"""Benchmark of the out-of-memory indicator reductions: keyword intensity and the location quotient.

Run by hand (not part of the test suite)::

    python benchmarks/bench_indicators.py                       # full size: 20,000 docs × 50 KB, 5M rows
    python benchmarks/bench_indicators.py --docs 2000 --rows 500000 --jieba-docs 100

Synthetic inputs are generated deterministically (``--seed``) into ``--workdir`` as Parquet, in
chunks, so generation never holds the corpus in memory. Each measured step runs in its own child
process and reports its wall time and peak resident memory (``ru_maxrss``):

- ``count_documents`` (DuckDB record batches + keyword scan, method ``scan``) over all documents,
- ``count_documents`` with ``method="jieba"`` over the first ``--jieba-docs`` documents,
- ``lq_from_file`` (DuckDB) over the firm-year file, and
- the in-memory pandas path (read the whole file, group, `location_quotient`) for comparison.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FILLER = [
    "公司主营业务收入稳定增长，产品结构持续优化。",
    "报告期内，公司加强成本控制，提升经营效率。",
    "制造车间完成技术改造，产能利用率有所提高。",
    "公司坚持以客户为中心，拓展国内外市场渠道。",
    "本年度研发投入同比增长，新产品陆续投放市场。",
    "管理层持续完善内部控制体系，防范经营风险。",
]
KEYWORD_SENTENCES = [
    "公司推进大数据中心建设，深化人工智能与机器学习应用。",
    "依托云计算和物联网平台，发展工业互联网与移动互联网业务。",
    "探索区块链与数字货币技术，开展B2B电子商务和移动支付。",
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_documents(path: Path, docs: int, doc_kb: int, seed: int) -> int:
    """Write ``docs`` synthetic reports of about ``doc_kb`` KB each; return the total bytes."""
    rng = np.random.default_rng(seed)
    sentences = FILLER + KEYWORD_SENTENCES
    weights = np.array([1.0] * len(FILLER) + [0.05] * len(KEYWORD_SENTENCES))
    weights /= weights.sum()
    per_doc = max(1, doc_kb * 1024 // len(FILLER[0].encode()))
    total = 0
    schema = pa.schema([("firm", pa.string()), ("year", pa.int32()), ("text", pa.large_string())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, docs, 500):
            n = min(500, docs - start)
            texts = []
            for _ in range(n):
                picks = rng.choice(len(sentences), size=per_doc, p=weights)
                texts.append("".join(sentences[k] for k in picks))
            total += sum(len(t.encode()) for t in texts)
            ids = np.arange(start, start + n)
            table = pa.table(
                {
                    "firm": [f"F{i // 10:05d}" for i in ids],
                    "year": (2011 + ids % 10).astype("int32"),
                    "text": pa.array(texts, type=pa.large_string()),
                },
                schema=schema,
            )
            writer.write_table(table)
    return total


def make_firms(path: Path, rows: int, seed: int) -> None:
    """Write ``rows`` synthetic firm-years: region (31), industry (31 codes), year, employment."""
    rng = np.random.default_rng(seed)
    schema = pa.schema(
        [
            ("region", pa.int32()),
            ("industry", pa.string()),
            ("year", pa.int32()),
            ("firm", pa.int64()),
            ("employment", pa.float64()),
        ]
    )
    codes = np.array([str(c) for c in range(13, 44)])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            table = pa.table(
                {
                    "region": rng.integers(11, 66, n).astype("int32"),
                    "industry": codes[rng.integers(0, len(codes), n)],
                    "year": rng.integers(2011, 2024, n).astype("int32"),
                    "firm": np.arange(start, start + n),
                    "employment": rng.lognormal(3.0, 1.0, n),
                },
                schema=schema,
            )
            writer.write_table(table)


def phase(name: str, path: Path, limit: int | None) -> dict:
    """Run one measured step in this (child) process."""
    from clusterdx.indicators import count_documents, location_quotient, lq_from_file

    start = time.perf_counter()
    if name == "keywords_scan":
        out = count_documents(path, method="scan", batch_size=500, progress=False)
        result = {"firm_years": len(out), "keywords": int(out["total"].sum())}
    elif name == "keywords_jieba":
        import duckdb

        small = path.with_name("docs_jieba.parquet")
        duckdb.sql(f"COPY (SELECT * FROM '{path}' LIMIT {limit}) TO '{small}' (FORMAT parquet)")
        start = time.perf_counter()
        out = count_documents(small, method="jieba", batch_size=100, progress=False)
        result = {"firm_years": len(out), "keywords": int(out["total"].sum())}
    elif name == "lq_duckdb":
        out = lq_from_file(path, ["39"], progress=False)
        result = {"region_years": len(out), "mean_lq": float(out.mean())}
    else:
        frame = pd.read_parquet(path)
        cells = frame.groupby(["region", "industry", "year"], as_index=False)["employment"].sum()
        out = location_quotient(cells, ["39"])
        result = {"region_years": len(out), "mean_lq": float(out.mean())}
    result.update(seconds=time.perf_counter() - start, peak_mb=_peak_mb())
    return result


def _child(name: str, path: Path, limit: int | None) -> dict:
    command = [sys.executable, __file__, "--phase", name, "--path", str(path)]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--doc-kb", type=int, default=50)
    parser.add_argument("--jieba-docs", type=int, default=200)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/clusterdx_bench"))
    parser.add_argument("--phase")
    parser.add_argument("--path", type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.path, args.limit)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    docs_path, firms_path = args.workdir / "docs.parquet", args.workdir / "firms.parquet"
    start = time.perf_counter()
    text_bytes = make_documents(docs_path, args.docs, args.doc_kb, args.seed)
    make_firms(firms_path, args.rows, args.seed)
    print(
        f"generated {args.docs} docs ({text_bytes / 1e6:.0f} MB of text) and {args.rows:,} "
        f"firm-years in {time.perf_counter() - start:.0f} s"
    )
    scan = _child("keywords_scan", docs_path, None)
    jieba_docs = min(args.jieba_docs, args.docs)
    jieba = _child("keywords_jieba", docs_path, jieba_docs)
    mb_doc = text_bytes / args.docs / 1e6
    for label, res, n in (("scan", scan, args.docs), ("jieba", jieba, jieba_docs)):
        print(
            f"keyword_intensity [{label}]: {n} docs in {res['seconds']:.1f} s = "
            f"{n / res['seconds']:.1f} docs/s, {n * mb_doc / res['seconds']:.1f} MB/s, "
            f"peak RSS {res['peak_mb']:.0f} MB, {res['keywords']:,} keywords"
        )
    for label in ("lq_duckdb", "lq_pandas"):
        res = _child(label, firms_path, None)
        print(
            f"{label}: {args.rows:,} rows in {res['seconds']:.2f} s = "
            f"{args.rows / res['seconds'] / 1e6:.2f} M rows/s, peak RSS {res['peak_mb']:.0f} MB, "
            f"{res['region_years']} region-years, mean LQ {res['mean_lq']:.4f}"
        )


if __name__ == "__main__":
    main()
